using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Pd.Internal;

/// <summary>
/// Serves timestamps over one long-lived Tso bidi stream to the PD leader. Everyone who asks while a
/// request is in flight is answered by the next TsoRequest{count=N} (up to 10000, as client-go's
/// tsoDispatcher batches). A failed stream is reopened against the (re)discovered leader and the batch is
/// retried under the TSO backoff budget; timestamps are idempotent to ask for, so retrying is safe.
/// </summary>
internal sealed class TsoDispatcher : IAsyncDisposable
{
    public const int MaxBatchSize = 10_000;

    private readonly Channel<TaskCompletionSource<ulong>> _pending =
        Channel.CreateUnbounded<TaskCompletionSource<ulong>>(new UnboundedChannelOptions { SingleReader = true });

    private readonly PdClient _pd;
    private readonly TiKVClientOptions _options;
    private readonly ILogger _logger;
    private DuplexStreamingCall<TsoRequest, TsoResponse>? _stream;
    private PdLeader? _streamLeader;
    private Task? _loop;

    public TsoDispatcher(PdClient pd, TiKVClientOptions options, ILogger logger)
    {
        _pd = pd;
        _options = options;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    public ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(waiter))
        {
            throw new ObjectDisposedException(nameof(TiKVClient), "The client is shut down; no more timestamps are served.");
        }

        return cancellationToken.CanBeCanceled
            ? new ValueTask<ulong>(waiter.Task.WaitAsync(cancellationToken))
            : new ValueTask<ulong>(waiter.Task);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        await CloseStreamAsync(graceful: true).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _pending.Reader;
        var batch = new List<TaskCompletionSource<ulong>>();
        var shutdown = _pd.ShutdownToken;
        try
        {
            while (await reader.WaitToReadAsync(shutdown).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatchSize && reader.TryRead(out var waiter))
                {
                    batch.Add(waiter);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    var last = await RequestAsync(batch.Count, shutdown).ConfigureAwait(false);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].TrySetResult(TsoMath.ForCaller(last, batch.Count, i));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !shutdown.IsCancellationRequested)
                {
                    foreach (var waiter in batch)
                    {
                        waiter.TrySetException(ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }

        var disposed = new ObjectDisposedException(nameof(TiKVClient), "The client was shut down before the timestamp was served.");
        foreach (var waiter in batch)
        {
            waiter.TrySetException(disposed);
        }

        while (reader.TryRead(out var waiter))
        {
            waiter.TrySetException(disposed);
        }
    }

    private async Task<Timestamp> RequestAsync(int count, CancellationToken shutdown)
    {
        var backoffer = new Backoffer("GetTimestamp", _options.TsoBudget, _options.TimeProvider);
        while (true)
        {
            PdLeader? leader = null;
            Exception cause;
            try
            {
                leader = await _pd.GetLeaderAsync(shutdown).ConfigureAwait(false);
                var stream = await EnsureStreamAsync(leader, shutdown).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
                timeout.CancelAfter(_options.PdTimeout);
                await stream.WriteAsync(new TsoRequest { Header = _pd.NewHeader(), Count = (uint)count }, timeout.Token).ConfigureAwait(false);
                if (!await stream.MoveNextAsync(timeout.Token).ConfigureAwait(false))
                {
                    throw new PdException($"PD at {leader.Target} closed the TSO stream.", isRetryable: true);
                }

                var response = stream.Current;
                _pd.CheckHeader(response.Header, "Tso", leader.Target);
                if (response.Timestamp is null || response.Count != (uint)count)
                {
                    throw new PdException($"PD at {leader.Target} returned {response.Count} timestamps for a request of {count}.", isRetryable: true);
                }

                ClientMetrics.RecordTsoRequest();
                return response.Timestamp;
            }
            catch (RpcException ex) when (CallerCancellation.IsCausedBy(ex, shutdown))
            {
                throw CallerCancellation.ToCanceled(ex, shutdown);
            }
            catch (RpcException ex)
            {
                cause = new PdException($"TSO stream to {leader?.Target} failed: {ex.StatusCode} {ex.Detail}", isRetryable: true, ex);
            }
            catch (OperationCanceledException ex) when (!shutdown.IsCancellationRequested)
            {
                cause = new PdException($"PD at {leader?.Target} did not answer a TSO request within {_options.PdTimeout}.", isRetryable: true, ex);
            }
            catch (PdException ex) when (ex.IsRetryable)
            {
                cause = ex;
            }

            Log.TsoStreamFailed(_logger, leader?.Target ?? "(no leader)", cause.Message);
            await CloseStreamAsync(graceful: false).ConfigureAwait(false);
            if (leader is not null)
            {
                try
                {
                    await _pd.OnLeaderFailureAsync(leader, shutdown).ConfigureAwait(false);
                }
                catch (PdException ex)
                {
                    cause = ex;
                }
            }

            await backoffer.BackoffAsync(BackoffKind.PdRpc, cause, null, leader?.Target, shutdown).ConfigureAwait(false);
        }
    }

    private ValueTask<DuplexStreamingCall<TsoRequest, TsoResponse>> EnsureStreamAsync(PdLeader leader, CancellationToken shutdown)
    {
        if (_stream is not null && ReferenceEquals(_streamLeader, leader))
        {
            return new ValueTask<DuplexStreamingCall<TsoRequest, TsoResponse>>(_stream);
        }

        return OpenAsync(leader, shutdown);
    }

    private async ValueTask<DuplexStreamingCall<TsoRequest, TsoResponse>> OpenAsync(PdLeader leader, CancellationToken shutdown)
    {
        await CloseStreamAsync(graceful: true).ConfigureAwait(false);
        _stream = leader.Channel.DuplexStreaming(PdMethods.Tso, default, shutdown);
        _streamLeader = leader;
        return _stream;
    }

    private async ValueTask CloseStreamAsync(bool graceful)
    {
        var stream = _stream;
        _stream = null;
        _streamLeader = null;
        if (stream is null)
        {
            return;
        }

        if (graceful && stream.Status is null)
        {
            try
            {
                await stream.CompleteAsync().ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // The stream already failed; disposing below releases it.
            }
            catch (ObjectDisposedException)
            {
                // Same: the transport went away first.
            }
        }

        await stream.DisposeAsync().ConfigureAwait(false);
    }
}
