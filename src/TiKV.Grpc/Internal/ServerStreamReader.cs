using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace TiKV.Grpc.Internal;

/// <summary>
/// Reads framed request messages straight from Kestrel's request pipe: messages are parsed from the pipe's
/// buffers without copying, and all messages that arrived together are parsed from one read before the pipe
/// is advanced.
/// </summary>
internal sealed class ServerStreamReader<T>(PipeReader reader, MessageParser<T> parser, int maxMessageSize, CancellationToken callToken)
    : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;
    private bool _completed;

    /// <summary>Data of the current pipe read not yet parsed; the pipe is advanced only when it runs out.</summary>
    private ReadOnlySequence<byte> _pending;
    private bool _holdingRead;
    private bool _readCompleted;

    public T Current => _current ?? throw new InvalidOperationException("No message has been read: call MoveNextAsync first.");

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_holdingRead && TryParseFrame())
        {
            return new ValueTask<bool>(true);
        }

        return MoveNextSlowAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        CancellationToken token = cancellationToken.CanBeCanceled ? cancellationToken : callToken;
        while (!_completed)
        {
            if (_holdingRead)
            {
                if (_readCompleted)
                {
                    ReleaseRead(_pending.End, _pending.End);
                    _completed = true;
                    if (_pending.Length > 0)
                    {
                        throw MessageFraming.Truncated();
                    }

                    return false;
                }

                // Everything left is an incomplete frame: keep it and wait for more data.
                ReleaseRead(_pending.Start, _pending.End);
            }

            ReadResult result = await reader.ReadAsync(token).ConfigureAwait(false);
            _pending = result.Buffer;
            _readCompleted = result.IsCompleted || result.IsCanceled;
            _holdingRead = true;
            if (TryParseFrame())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses one frame from <see cref="_pending"/>; false when none is complete.</summary>
    private bool TryParseFrame()
    {
        ReadOnlySequence<byte> buffer = _pending;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        int length;
        try
        {
            length = MessageFraming.ReadHeader(buffer, maxMessageSize);
        }
        catch
        {
            _completed = true;
            ReleaseRead(buffer.End, buffer.End);
            throw;
        }

        long frameLength = GrpcProtocol.HeaderSize + (long)length;
        if (buffer.Length < frameLength)
        {
            return false;
        }

        try
        {
            _current = MessageFraming.Parse(parser, buffer.Slice(GrpcProtocol.HeaderSize, length), "request");
        }
        catch
        {
            _completed = true;
            ReleaseRead(buffer.End, buffer.End);
            throw;
        }

        _pending = buffer.Slice(frameLength);
        return true;
    }

    /// <summary>Hands a held read back to the pipe once the handler is done with the stream.</summary>
    public void Release()
    {
        if (_holdingRead)
        {
            ReleaseRead(_pending.Start, _pending.End);
        }
    }

    private void ReleaseRead(SequencePosition consumed, SequencePosition examined)
    {
        if (_holdingRead)
        {
            _holdingRead = false;
            reader.AdvanceTo(consumed, examined);
        }
    }
}
