namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// TiKV's GC worker: when PD's GC safe point advances, MVCC versions that no reader at or after the safe point
/// can see are collected across the whole key space. Service safe points hold the collection back.
/// </summary>
internal sealed class GcWorker : IDisposable
{
    private readonly ClusterRuntime _cluster;
    private readonly SemaphoreSlim _running = new(1, 1);
    private ulong _lastSafePoint;
    private int _pending;

    /// <summary>Creates the worker.</summary>
    public GcWorker(ClusterRuntime cluster)
    {
        _cluster = cluster;
    }

    /// <summary>The safe point of the last completed collection.</summary>
    public ulong LastSafePoint => Interlocked.Read(ref _lastSafePoint);

    /// <summary>Asks for a collection; concurrent requests coalesce.</summary>
    public void Trigger()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _cluster.Background.Run(RunAsync);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _running.Dispose();

    /// <summary>Collects up to the effective safe point now, if it advanced.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Exchange(ref _pending, 0);
            var safePoint = _cluster.GcSafePoints.EffectiveSafePoint(_cluster.Time.GetUtcNow().ToUnixTimeSeconds());
            if (safePoint <= LastSafePoint)
            {
                return;
            }

            try
            {
                var response = await _cluster.Txn.GcAsync(safePoint, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                if (response.Error is { } error)
                {
                    throw new InvalidOperationException($"GC returned an error: {error}");
                }

                Interlocked.Exchange(ref _lastSafePoint, safePoint);
                Log.GcRan(_cluster.Logger, safePoint);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.GcFailed(_cluster.Logger, e, safePoint);
            }
        }
        finally
        {
            _running.Release();
        }
    }
}
