using System.Buffers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace TiKV.Grpc.Internal;

/// <summary>
/// Reads length-prefixed messages from a response stream through one pooled buffer, so reading a stream of
/// messages allocates only the messages themselves. Several small messages arriving together are parsed from
/// one read.
/// </summary>
internal sealed class StreamMessageReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly int _maxMessageSize;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    public StreamMessageReader(Stream stream, int maxMessageSize)
    {
        _stream = stream;
        _maxMessageSize = maxMessageSize;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    }

    /// <summary>Reads the next message; <see langword="default"/> at the clean end of the stream.</summary>
    public ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        // Fast path: a whole message is already buffered, so no async machinery is involved.
        if (TryParse(parser, out T? message))
        {
            return new ValueTask<T?>(message);
        }

        return ReadSlowAsync(parser, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T?> ReadSlowAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            if (_eof)
            {
                if (_end != _start)
                {
                    throw MessageFraming.Truncated();
                }

                return null;
            }

            EnsureSpace();
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }

            if (TryParse(parser, out T? message))
            {
                return message;
            }
        }
    }

    private bool TryParse<T>(MessageParser<T> parser, out T? message)
        where T : class, IMessage<T>
    {
        int available = _end - _start;
        if (available >= GrpcProtocol.HeaderSize)
        {
            int length = MessageFraming.ReadHeader(_buffer.AsSpan(_start, GrpcProtocol.HeaderSize), _maxMessageSize);
            if (available - GrpcProtocol.HeaderSize >= length)
            {
                message = MessageFraming.Parse(parser, _buffer.AsSpan(_start + GrpcProtocol.HeaderSize, length), "response");
                _start += GrpcProtocol.HeaderSize + length;
                if (_start == _end)
                {
                    _start = _end = 0;
                }

                return true;
            }
        }

        message = null;
        return false;
    }

    /// <summary>Makes room after <see cref="_end"/>: compacts, and grows when the pending message needs more.</summary>
    private void EnsureSpace()
    {
        int available = _end - _start;
        int needed = InitialBufferSize;
        if (available >= GrpcProtocol.HeaderSize)
        {
            needed = Math.Max(needed, GrpcProtocol.HeaderSize + MessageFraming.ReadHeader(_buffer.AsSpan(_start, GrpcProtocol.HeaderSize), _maxMessageSize));
        }

        if (_buffer.Length - _start >= needed && _end < _buffer.Length)
        {
            return;
        }

        if (_buffer.Length >= needed && _buffer.Length - available > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, available);
        }
        else
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            Buffer.BlockCopy(_buffer, _start, larger, 0, available);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        _start = 0;
        _end = available;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _start = _end = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
