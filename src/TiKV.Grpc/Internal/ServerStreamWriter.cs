using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace TiKV.Grpc.Internal;

/// <summary>
/// Writes framed response messages straight into Kestrel's response pipe. Writes are serialized; each flushes
/// unless the caller batches with <c>flush: false</c>.
/// </summary>
internal sealed class ServerStreamWriter<T>(HttpResponse response, ServerCallContext context, int maxMessageSize)
    : IServerStreamWriter<T>, IDisposable
    where T : IMessage<T>
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly PipeWriter _writer = response.BodyWriter;
    private volatile bool _completed;

    /// <summary>
    /// Whether any message was written. Kestrel reports the response as started only after a flush, so this decides
    /// between trailers and trailers-only.
    /// </summary>
    public bool MessageWritten { get; private set; }

    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default) => WriteAsync(message, flush: true, cancellationToken);

    public ValueTask WriteAsync(T message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed)
        {
            return ValueTask.FromException(CompletedError());
        }

        if (!_lock.Wait(0, CancellationToken.None))
        {
            return WriteContendedAsync(message, flush, cancellationToken);
        }

        bool handedOff = false;
        try
        {
            Buffer(message);
            if (!flush)
            {
                return ValueTask.CompletedTask;
            }

            ValueTask<FlushResult> pending = _writer.FlushAsync(Token(cancellationToken));
            if (pending.IsCompletedSuccessfully)
            {
                CheckFlush(pending.Result);
                return ValueTask.CompletedTask;
            }

            handedOff = true;
            return AwaitFlushAsync(pending);
        }
        finally
        {
            if (!handedOff)
            {
                _lock.Release();
            }
        }
    }

    /// <summary>Stops accepting writes once the call's status is being written.</summary>
    public async ValueTask CompleteAsync()
    {
        await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        _completed = true;
        _lock.Release();
    }

    public void Dispose() => _lock.Dispose();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteContendedAsync(T message, bool flush, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(Token(cancellationToken)).ConfigureAwait(false);
        try
        {
            Buffer(message);
            if (flush)
            {
                CheckFlush(await _writer.FlushAsync(Token(cancellationToken)).ConfigureAwait(false));
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> pending)
    {
        try
        {
            CheckFlush(await pending.ConfigureAwait(false));
        }
        finally
        {
            _lock.Release();
        }
    }

    private void Buffer(T message)
    {
        if (_completed)
        {
            throw CompletedError();
        }

        context.CancellationToken.ThrowIfCancellationRequested();
        int size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw MessageFraming.SendTooLarge(size, maxMessageSize);
        }

        if (!MessageWritten)
        {
            ServerResponses.AddMetadata(response.Headers, context.ResponseHeadersOrNull);
            MessageWritten = true;
        }

        MessageFraming.Write(_writer, message, size);
    }

    private static InvalidOperationException CompletedError() =>
        new("The call has completed; no more response messages can be written.");

    private CancellationToken Token(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;

    private static void CheckFlush(FlushResult result)
    {
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client closed the response stream.");
        }
    }
}
