using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace TiKV.Grpc.Internal;

/// <summary>
/// Reads framed request messages straight from Kestrel's request pipe: messages are parsed from the pipe's
/// buffers without copying, and several messages arriving together are parsed from one read.
/// </summary>
internal sealed class ServerStreamReader<T>(PipeReader reader, MessageParser<T> parser, int maxMessageSize, CancellationToken callToken)
    : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;
    private bool _completed;

    public T Current => _current ?? throw new InvalidOperationException("No message has been read: call MoveNextAsync first.");

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return false;
        }

        CancellationToken token = cancellationToken.CanBeCanceled ? cancellationToken : callToken;
        if (!reader.TryRead(out ReadResult result))
        {
            result = await reader.ReadAsync(token).ConfigureAwait(false);
        }

        while (true)
        {
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= GrpcProtocol.HeaderSize)
            {
                int length;
                try
                {
                    length = MessageFraming.ReadHeader(buffer, maxMessageSize);
                }
                catch
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw;
                }

                long frameLength = GrpcProtocol.HeaderSize + (long)length;
                if (buffer.Length >= frameLength)
                {
                    try
                    {
                        _current = MessageFraming.Parse(parser, buffer.Slice(GrpcProtocol.HeaderSize, length), "request");
                    }
                    finally
                    {
                        reader.AdvanceTo(buffer.GetPosition(frameLength));
                    }

                    return true;
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                reader.AdvanceTo(buffer.End);
                _completed = true;
                if (buffer.Length > 0)
                {
                    throw MessageFraming.Truncated();
                }

                return false;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            token.ThrowIfCancellationRequested();
            result = await reader.ReadAsync(token).ConfigureAwait(false);
        }
    }
}
