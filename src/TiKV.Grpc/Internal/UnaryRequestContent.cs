using System.Buffers;
using System.Net;
using Google.Protobuf;

namespace TiKV.Grpc.Internal;

/// <summary>
/// A unary request body: the framed message serialized once into a pooled buffer. The buffer lives until the
/// request is disposed because the HTTP stack may send the content again when it retries on a new connection.
/// </summary>
internal sealed class UnaryRequestContent : HttpContent
{
    private byte[]? _buffer;
    private readonly int _length;

    public UnaryRequestContent(IMessage message, int size)
    {
        _length = GrpcProtocol.HeaderSize + size;
        _buffer = ArrayPool<byte>.Shared.Rent(_length);
        MessageFraming.WriteHeader(_buffer, size);
        message.WriteTo(_buffer.AsSpan(GrpcProtocol.HeaderSize, size));
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        return stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).AsTask();
    }

    protected override bool TryComputeLength(out long length)
    {
        // No content-length: the body is gRPC-framed, and other gRPC clients leave the header out as well.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }
}
