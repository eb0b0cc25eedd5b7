using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Grpc;
using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Rpc.Internal;

/// <summary>
/// One connection to a store carrying one long-lived BatchCommands stream (client-go's batchConn +
/// batchCommandsClient). Callers enqueue requests on a channel; a send loop takes whatever is pending —
/// up to <see cref="BatchSettings.MaxBatchSize"/> — into one BatchCommandsRequest with fresh request ids,
/// and waits for more only when the store reports a transport load above the overload threshold. A
/// receive loop hands each response to the request with the same id. A broken stream fails everything in
/// flight on it (the request plan retries where safe) and the next batch reopens it, with a growing delay
/// while the store keeps refusing.
/// </summary>
internal sealed partial class BatchConnection : IAsyncDisposable
{
    private static readonly TimeSpan[] ReconnectDelays =
        [TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1000)];

    private readonly Channel<BatchEntry> _queue = Channel.CreateUnbounded<BatchEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly InFlightRequests _inflight = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly IBatchStreamFactory _factory;
    private readonly BatchSettings _settings;
    private readonly ILogger _logger;
    private readonly long _timeoutTicks;
    private readonly Task _sendLoop;
    private readonly Task _sweepLoop;
    private BatchStreamState? _current;
    private long _nextRequestId;
    private long _transportLoad;
    private int _reconnectAttempt;
    private long _reconnectNotBefore;
    private int _disposed;

    public BatchConnection(int index, IBatchStreamFactory factory, BatchSettings settings, ILogger logger)
    {
        Index = index;
        _factory = factory;
        _settings = settings;
        _logger = logger;
        _timeoutTicks = (long)(settings.RequestTimeout.TotalSeconds * settings.TimeProvider.TimestampFrequency);
        _sendLoop = Task.Run(SendLoopAsync);
        _sweepLoop = Task.Run(SweepLoopAsync);
    }

    public int Index { get; }

    /// <summary>The last transport_layer_load the store reported on this connection.</summary>
    public long TransportLoad => Volatile.Read(ref _transportLoad);

    /// <summary>Requests sent and not yet answered.</summary>
    public int InFlight => _inflight.Count;

    /// <summary>Queues a request for the next batch; completes with its response or a <see cref="TiKVRpcException"/>.</summary>
    public Task<BatchCommandsResponse.Types.Response> SendAsync(BatchCommandsRequest.Types.Request request, CancellationToken cancellationToken)
    {
        var entry = new BatchEntry(this, request, _settings.TimeProvider.GetTimestamp() + _timeoutTicks);
        if (cancellationToken.CanBeCanceled)
        {
            entry.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((BatchEntry)state!).Owner.Cancel((BatchEntry)state!, token), entry);
        }

        if (!_queue.Writer.TryWrite(entry))
        {
            entry.Registration.Unregister();
            throw new ObjectDisposedException(nameof(TiKVClient), $"The connection to {_factory.Target} is shut down.");
        }

        ClientMetrics.AddPending(1);
        return entry.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Graceful: stop taking requests, let the send loop flush what is queued, wait for answers a while.
        _queue.Writer.TryComplete();
        var timeProvider = _settings.TimeProvider;
        var start = timeProvider.GetTimestamp();
        await _sendLoop.WaitAsync(_settings.ShutdownTimeout, timeProvider, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (_inflight.Count > 0 && timeProvider.GetElapsedTime(start) < _settings.ShutdownTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), timeProvider).ConfigureAwait(false);
        }

        await _abort.CancelAsync().ConfigureAwait(false);
        await _sendLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _sweepLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var state = Interlocked.Exchange(ref _current, null);
        if (state is not null)
        {
            await CloseAsync(state).ConfigureAwait(false);
        }

        var disposed = new ObjectDisposedException(nameof(TiKVClient), $"The connection to {_factory.Target} was shut down before the store answered.");
        foreach (var entry in _inflight.RemoveWhere(static (_, _) => true, 0))
        {
            Complete(entry, disposed);
        }

        while (_queue.Reader.TryRead(out var entry))
        {
            Complete(entry, disposed);
        }

        _abort.Dispose();
    }

    private static void Complete(BatchEntry entry, Exception error)
    {
        entry.Registration.Unregister();
        if (entry.TrySetException(error))
        {
            ClientMetrics.AddPending(-1);
        }
    }

    private void Cancel(BatchEntry entry, CancellationToken token)
    {
        if (entry.Id != 0)
        {
            _inflight.TryRemove(entry.Id, out _);
        }

        if (entry.TrySetCanceled(token))
        {
            ClientMetrics.AddPending(-1);
        }
    }

    /// <summary>
    /// The failure handed to the requests of a broken stream. A stream dies with whatever status the transport saw
    /// (a store killed mid-stream can surface as Internal or Cancelled); that is no verdict on the requests it
    /// carried, so they fail as Unavailable and are retried, as client-go retries everything on a failed batch
    /// stream. Only a status saying the store refuses the call itself (not served, not allowed, malformed) is
    /// kept: repeating the request would get the same answer.
    /// </summary>
    private TiKVRpcException Unavailable(string message, Exception? inner = null) =>
        new(_factory.Target, inner is RpcException { StatusCode: var code } && IsRefusal(code) ? code : StatusCode.Unavailable, message, inner);

    private static bool IsRefusal(StatusCode code) =>
        code is StatusCode.Unimplemented or StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument;

    private async Task SweepLoopAsync()
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_settings.RequestTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        var token = _abort.Token;
        try
        {
            while (true)
            {
                await Task.Delay(period, _settings.TimeProvider, token).ConfigureAwait(false);
                var now = _settings.TimeProvider.GetTimestamp();
                foreach (var entry in _inflight.RemoveWhere(static (entry, now) => entry.Deadline < now, now))
                {
                    // The answer may still arrive; the receive loop then finds no entry and skips it.
                    Complete(entry, new TiKVRpcException(_factory.Target, StatusCode.DeadlineExceeded, $"No answer within {_settings.RequestTimeout}"));
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }
}
