using System.Collections.Concurrent;
using System.Threading.Channels;

namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// PD's scheduling loop for peers: whenever something may need a move (a store joined or is leaving, a store
/// came back, a split, PD restarted) it makes moves one at a time at a steady pace, so clients see regions change
/// under load as they do when PD works through operators; then stores that went Offline and hold no peers any
/// more become Tombstone.
/// </summary>
internal sealed class PdScheduler : IDisposable
{
    /// <summary>Time between two moves (PD's operators take a moment each; a region moves at a time here).</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private readonly ClusterRuntime _cluster;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _removals = new();
    private readonly SemaphoreSlim _finishing = new(1, 1);

    /// <summary>Creates the scheduler of <paramref name="cluster"/>.</summary>
    public PdScheduler(ClusterRuntime cluster)
    {
        _cluster = cluster;
    }

    /// <summary>Starts the background loop.</summary>
    public void Start()
    {
        _cluster.Background.Run(RunAsync);
        Wake();
    }

    /// <summary>Asks for a scheduling pass.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Completes once store <paramref name="storeId"/> is Tombstone.</summary>
    public Task WaitForTombstoneAsync(ulong storeId, CancellationToken cancellationToken)
    {
        var removal = _removals.GetOrAdd(storeId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_cluster.GetStore(storeId)?.MetaState == TiKV.Proto.Metapb.StoreState.Tombstone)
        {
            removal.TrySetResult();
        }

        return removal.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Makes every pending move now, without pacing, then retires emptied Offline stores.</summary>
    public async Task RunToCompletionAsync(CancellationToken cancellationToken)
    {
        _cluster.RequirePd("scheduling");
        while (_cluster.MoveOnePeer(balanceRegions: true))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        _cluster.BalanceLeaders();
        await RetireEmptyStoresAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fails every wait for a removal that has not finished (the cluster is shutting down).</summary>
    public void Abandon()
    {
        foreach (var removal in _removals.Values)
        {
            removal.TrySetException(new ObjectDisposedException(nameof(DevCluster), "The cluster stopped before the store became Tombstone."));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _finishing.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _wake.Reader.TryRead(out _);
            while (_cluster.MoveOnePeer(_cluster.Options.BalanceRegions))
            {
                _cluster.BalanceLeaders();
                await Task.Delay(Pace, _cluster.Time, cancellationToken).ConfigureAwait(false);
            }

            await RetireEmptyStoresAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An Offline store without peers becomes Tombstone: PD marks it removed, and TiKV, told so on its next
    /// heartbeat, shuts down — its ports refuse connections from then on.
    /// </summary>
    private async Task RetireEmptyStoresAsync(CancellationToken cancellationToken)
    {
        if (!_cluster.IsPdUp)
        {
            return;
        }

        await _finishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var store in _cluster.Stores)
            {
                if (store.MetaState != TiKV.Proto.Metapb.StoreState.Offline || _cluster.Regions.All.Any(r => r.PeerOn(store.Id) is not null))
                {
                    continue;
                }

                await store.StopAsync(abrupt: false, cancellationToken).ConfigureAwait(false);
                store.MetaState = TiKV.Proto.Metapb.StoreState.Tombstone;
                Log.StoreStateChanged(_cluster.Logger, store.Id, "Tombstone");
                _cluster.SaveMetadata();
                if (_removals.TryGetValue(store.Id, out var removal))
                {
                    removal.TrySetResult();
                }
            }
        }
        finally
        {
            _finishing.Release();
        }
    }
}
