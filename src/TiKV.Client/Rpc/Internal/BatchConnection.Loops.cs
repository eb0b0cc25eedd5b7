using TiKV.Client.Diagnostics.Internal;
using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Rpc.Internal;

internal sealed partial class BatchConnection
{
    private async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<BatchEntry>(_settings.MaxBatchSize);
        var token = _abort.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                batch.Clear();
                Drain(batch);
                if (batch.Count == 0)
                {
                    continue;
                }

                if (_settings.MaxBatchWaitTime > TimeSpan.Zero && TransportLoad > _settings.OverloadThreshold)
                {
                    await WaitForMoreAsync(batch, token).ConfigureAwait(false);
                }

                await SendBatchAsync(batch, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (CallerCancellation.IsCausedBy(ex, token))
        {
            var error = new ObjectDisposedException(nameof(TiKVClient), $"The connection to {_factory.Target} was shut down.");
            foreach (var entry in batch)
            {
                if (entry.Id == 0)
                {
                    Complete(entry, error);
                }
            }
        }
    }

    /// <summary>Takes pending requests without waiting, skipping those whose caller already gave up.</summary>
    private void Drain(List<BatchEntry> batch)
    {
        while (batch.Count < _settings.MaxBatchSize && _queue.Reader.TryRead(out var entry))
        {
            if (!entry.Task.IsCompleted)
            {
                batch.Add(entry);
            }
        }
    }

    /// <summary>
    /// Under load (transport_layer_load above the threshold) a bigger batch is cheaper for the store than
    /// more messages, so wait up to MaxBatchWaitTime for BatchWaitSize requests, as client-go does.
    /// </summary>
    private async Task WaitForMoreAsync(List<BatchEntry> batch, CancellationToken token)
    {
        var timeProvider = _settings.TimeProvider;
        var start = timeProvider.GetTimestamp();
        while (batch.Count < _settings.BatchWaitSize && batch.Count < _settings.MaxBatchSize)
        {
            var remaining = _settings.MaxBatchWaitTime - timeProvider.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
            wait.CancelAfter(remaining);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return;
            }

            Drain(batch);
        }
    }

    private async Task SendBatchAsync(List<BatchEntry> batch, CancellationToken token)
    {
        BatchStreamState state;
        try
        {
            state = EnsureStream(token);
        }
        catch (TiKVRpcException ex)
        {
            foreach (var entry in batch)
            {
                Complete(entry, ex);
            }

            return;
        }

        var request = new BatchCommandsRequest();
        foreach (var entry in batch)
        {
            var id = (ulong)Interlocked.Increment(ref _nextRequestId);
            entry.Id = id;
            entry.Stream = state;
            request.Requests.Add(entry.Request);
            request.RequestIds.Add(id);
        }

        _inflight.AddAll(batch);

        ClientMetrics.RecordBatch(batch.Count);
        try
        {
            await state.Stream.WriteAsync(request, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            Break(state, ex);
        }

        if (state.IsBroken)
        {
            // The receive loop may have swept the in-flight set before these ids were registered.
            FailInFlight(state, Unavailable($"BatchCommands stream to {_factory.Target} broke"));
        }
    }

    private BatchStreamState EnsureStream(CancellationToken token)
    {
        var state = _current;
        if (state is not null && !state.IsBroken)
        {
            return state;
        }

        if (_settings.TimeProvider.GetTimestamp() < Volatile.Read(ref _reconnectNotBefore))
        {
            throw Unavailable($"BatchCommands stream to {_factory.Target} is down; reconnecting");
        }

        if (state is not null)
        {
            _ = CloseAsync(state);
        }

        var stream = _factory.Open(token);
        state = new BatchStreamState(stream);
        _current = state;
        state.ReceiveLoop = Task.Run(() => ReceiveLoopAsync(state), CancellationToken.None);
        Log.BatchStreamOpened(_logger, Index, _factory.Target);
        return state;
    }

    private async Task ReceiveLoopAsync(BatchStreamState state)
    {
        var token = _abort.Token;
        var answered = new List<BatchEntry?>();
        Exception error;
        try
        {
            while (true)
            {
                var response = await state.Stream.ReadAsync(token).ConfigureAwait(false);
                if (response is null)
                {
                    error = Unavailable($"Store {_factory.Target} closed the BatchCommands stream");
                    break;
                }

                state.MarkReceived();
                Volatile.Write(ref _transportLoad, (long)response.TransportLayerLoad);
                var count = Math.Min(response.RequestIds.Count, response.Responses.Count);
                answered.Clear();
                _inflight.RemoveAll(response.RequestIds, count, answered);
                for (var i = 0; i < count; i++)
                {
                    if (answered[i] is { } entry)
                    {
                        entry.Registration.Unregister();
                        if (entry.TrySetResult(response.Responses[i]))
                        {
                            ClientMetrics.AddPending(-1);
                        }
                    }
                    else
                    {
                        Log.BatchResponseSkipped(_logger, response.RequestIds[i], _factory.Target);
                    }
                }
            }
        }
        catch (Exception ex) when (CallerCancellation.IsCausedBy(ex, token))
        {
            return;
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Break(state, error);
    }

    /// <summary>Marks the stream failed, delays the next reconnect if it never worked, and fails its in-flight requests.</summary>
    private void Break(BatchStreamState state, Exception error)
    {
        if (!state.TryMarkBroken())
        {
            return;
        }

        var attempt = state.ReceivedAny ? 0 : Math.Min(Interlocked.Increment(ref _reconnectAttempt), ReconnectDelays.Length - 1);
        if (state.ReceivedAny)
        {
            Volatile.Write(ref _reconnectAttempt, 0);
        }

        var delay = ReconnectDelays[attempt];
        Volatile.Write(ref _reconnectNotBefore, _settings.TimeProvider.GetTimestamp() + (long)(delay.TotalSeconds * _settings.TimeProvider.TimestampFrequency));
        var failure = error as TiKVRpcException ?? Unavailable($"BatchCommands stream to {_factory.Target} broke: {error.Message}", error);
        var failed = FailInFlight(state, failure);
        Log.BatchStreamBroken(_logger, Index, _factory.Target, error.Message, failed);
    }

    private int FailInFlight(BatchStreamState state, TiKVRpcException error)
    {
        var failed = _inflight.RemoveWhere(static (entry, state) => ReferenceEquals(entry.Stream, state), state);
        foreach (var entry in failed)
        {
            Complete(entry, error);
        }

        return failed.Count;
    }

    private static async Task CloseAsync(BatchStreamState state)
    {
        if (!state.IsBroken)
        {
            try
            {
                await state.Stream.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TiKV.Grpc.RpcException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                // The stream is going away either way.
            }
        }

        await state.Stream.DisposeAsync().ConfigureAwait(false);
        if (state.ReceiveLoop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
