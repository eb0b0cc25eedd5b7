using System.Buffers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>The request side: serialized writes into a pooled buffer, flushed per write or per batch.</summary>
public sealed partial class DuplexStreamingCall<TRequest, TResponse>
{
    /// <summary>Unflushed bytes above which buffered messages are handed to the HTTP/2 stream without a flush.</summary>
    private const int WriteThreshold = 64 * 1024;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Stream? _requestStream;
    private byte[]? _writeBuffer;
    private int _writeCount;
    private bool _writesCompleted;

    /// <summary>
    /// Writes one message and flushes it to the network. Cancelling <paramref name="cancellationToken"/> cancels the
    /// whole call.
    /// </summary>
    /// <exception cref="RpcException">The call has failed; the exception carries its status.</exception>
    public ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken = default) =>
        WriteAsync(message, flush: true, cancellationToken);

    /// <summary>
    /// Writes one message; with <paramref name="flush"/> false it stays buffered until a later flushing write,
    /// <see cref="FlushAsync"/> or <see cref="CompleteAsync"/>, so a batch of messages costs one flush.
    /// </summary>
    /// <exception cref="RpcException">The call has failed; the exception carries its status.</exception>
    public ValueTask WriteAsync(TRequest message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (IsFinished)
        {
            return ValueTask.FromException(FinishedException());
        }

        if (!_writeLock.Wait(0, CancellationToken.None))
        {
            return WriteContendedAsync(message, flush, cancellationToken);
        }

        bool handedOff = false;
        try
        {
            Buffer(message);
            if (!flush && _writeCount < WriteThreshold && _requestStream is not null)
            {
                return ValueTask.CompletedTask;
            }

            handedOff = true;
            return WriteOutLockedAsync(flush, cancellationToken);
        }
        finally
        {
            if (!handedOff)
            {
                _writeLock.Release();
            }
        }
    }

    /// <summary>Sends buffered messages and flushes them to the network.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await WaitAsync(_writeLock, cancellationToken).ConfigureAwait(false);
        await WriteOutLockedAsync(flush: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends buffered messages and ends the request stream (half-close). The response stream stays open.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        await WaitAsync(_writeLock, cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writesCompleted)
            {
                return;
            }

            _writesCompleted = true;
            if (_writeCount > 0 && !IsFinished)
            {
                using CancellationTokenRegistration registration = RegisterOperationToken(cancellationToken);
                try
                {
                    Stream stream = _requestStream ?? await GetRequestStreamAsync().ConfigureAwait(false);
                    await stream.WriteAsync(_writeBuffer.AsMemory(0, _writeCount), _cts.Token).ConfigureAwait(false);
                    _writeCount = 0;
                }
                catch (Exception ex) when (ex is not RpcException)
                {
                    _writeCount = 0;
                    throw await StatusAfterWriteFailureAsync(ex).ConfigureAwait(false);
                }
            }

            _content.Complete();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteContendedAsync(TRequest message, bool flush, CancellationToken cancellationToken)
    {
        await WaitAsync(_writeLock, cancellationToken).ConfigureAwait(false);
        bool handedOff = false;
        try
        {
            Buffer(message);
            if (!flush && _writeCount < WriteThreshold && _requestStream is not null)
            {
                return;
            }

            handedOff = true;
        }
        finally
        {
            if (!handedOff)
            {
                _writeLock.Release();
            }
        }

        await WriteOutLockedAsync(flush, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serializes a framed message at the end of the write buffer. Called under the write lock.</summary>
    private void Buffer(TRequest message)
    {
        if (_writesCompleted)
        {
            throw new InvalidOperationException("The request stream has been completed; no more messages can be written.");
        }

        if (IsFinished)
        {
            throw FinishedException();
        }

        int size = message.CalculateSize();
        if (size > _channel.MaxSendMessageSize)
        {
            throw MessageFraming.SendTooLarge(size, _channel.MaxSendMessageSize);
        }

        int needed = _writeCount + GrpcProtocol.HeaderSize + size;
        if (_writeBuffer is null || _writeBuffer.Length < needed)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(WriteThreshold, (_writeBuffer?.Length ?? 0) * 2)));
            if (_writeBuffer is not null)
            {
                _writeBuffer.AsSpan(0, _writeCount).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_writeBuffer);
            }

            _writeBuffer = larger;
        }

        Span<byte> destination = _writeBuffer.AsSpan(_writeCount, GrpcProtocol.HeaderSize + size);
        MessageFraming.WriteHeader(destination, size);
        message.WriteTo(destination[GrpcProtocol.HeaderSize..]);
        _writeCount = needed;
    }

    /// <summary>Hands buffered bytes to the HTTP/2 stream and optionally flushes. Releases the write lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteOutLockedAsync(bool flush, CancellationToken cancellationToken)
    {
        try
        {
            if (IsFinished)
            {
                _writeCount = 0;
                throw FinishedException();
            }

            using CancellationTokenRegistration registration = RegisterOperationToken(cancellationToken);
            try
            {
                Stream stream = _requestStream ?? await GetRequestStreamAsync().ConfigureAwait(false);
                if (_writeCount > 0)
                {
                    await stream.WriteAsync(_writeBuffer.AsMemory(0, _writeCount), _cts.Token).ConfigureAwait(false);
                    _writeCount = 0;
                }

                if (flush)
                {
                    await stream.FlushAsync(_cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not RpcException)
            {
                _writeCount = 0;
                throw await StatusAfterWriteFailureAsync(ex).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<Stream> GetRequestStreamAsync()
    {
        Stream stream = await _content.StreamTask.ConfigureAwait(false);
        _requestStream = stream;
        return stream;
    }

    /// <summary>
    /// A write failed: the server has ended the call or the connection broke. The real outcome is the call's status,
    /// so find it: from the response headers when the call ended there, else by reading the response to its trailers
    /// (buffering any messages still unread for the reader) or by waiting for the active reader to reach them.
    /// </summary>
    private async Task<Exception> StatusAfterWriteFailureAsync(Exception writeFailure)
    {
        if (_cts.IsCancellationRequested || IsFinished)
        {
            return IsFinished ? FinishedException() : Fail(writeFailure);
        }

        try
        {
            await _responseTask.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }

        if (_readLock.Wait(0, CancellationToken.None))
        {
            try
            {
                await DrainLockedAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return ex as RpcException ?? Fail(ex);
            }
            finally
            {
                _readLock.Release();
            }
        }
        else
        {
            await _finishedSignal.Task.ConfigureAwait(false);
        }

        return FinishedException();
    }

    private void ReturnWriteBuffer()
    {
        byte[]? buffer = _writeBuffer;
        _writeBuffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
