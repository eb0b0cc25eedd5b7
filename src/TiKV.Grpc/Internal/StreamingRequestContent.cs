using System.Net;

namespace TiKV.Grpc.Internal;

/// <summary>
/// A streaming request body. The HTTP stack hands the request stream to <see cref="SerializeToStreamAsync(Stream, TransportContext?, CancellationToken)"/>;
/// it is published to the call's writer and the body stays open until the writer completes it.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent()
    {
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    /// <summary>Completes with the request stream once the request headers are on their way.</summary>
    public Task<Stream> StreamTask => _stream.Task;

    /// <summary>Ends the request body (half-close).</summary>
    public void Complete() => _completed.TrySetResult();

    /// <summary>Fails the writer's wait for the stream, e.g. when the request could not be sent.</summary>
    public void Fail(Exception exception)
    {
        _stream.TrySetException(exception);
        _completed.TrySetResult();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_stream.Task.IsCompleted)
        {
            throw new InvalidOperationException("A streaming request body cannot be sent twice.");
        }

        // SocketsHttpHandler sends the request HEADERS only when the body is written or flushed: flush first so the
        // server sees the call even before the first message.
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _stream.TrySetResult(stream);
        await _completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        Complete();
        base.Dispose(disposing);
    }
}
