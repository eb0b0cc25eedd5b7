using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace TiKV.Grpc.Internal;

/// <summary>Serves a bidirectional streaming method.</summary>
internal sealed class DuplexServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler,
    ServerRuntime runtime) : ServerMethod(method.FullName, runtime)
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>, new()
{
    public override async Task HandleAsync(HttpContext httpContext)
    {
        HttpResponse response = httpContext.Response;
        CancellationToken aborted = httpContext.RequestAborted;
        TimeSpan? timeout = GrpcProtocol.EffectiveTimeout(GrpcProtocol.ParseTimeout(httpContext.Request.Headers[GrpcProtocol.TimeoutHeader]));

        // A stream lives long, so one token source per call is cheap: it joins the client's reset, the deadline
        // and the server's shutdown.
        using CancellationTokenSource source = timeout is { } t
            ? new CancellationTokenSource(t, Runtime.TimeProvider)
            : new CancellationTokenSource();
        using CancellationTokenRegistration onAbort = aborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        using CancellationTokenRegistration onStop = Runtime.Stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        DateTimeOffset? deadline = timeout is { } d ? Runtime.TimeProvider.GetUtcNow() + d : null;
        var context = new ServerCallContext(httpContext, FullName, deadline, source.Token);

        ServerResponses.PrepareResponse(response);
        var reader = new ServerStreamReader<TRequest>(httpContext.Request.BodyReader, method.RequestParser, Runtime.MaxReceiveMessageSize, source.Token);
        using var writer = new ServerStreamWriter<TResponse>(response, context, Runtime.MaxSendMessageSize);
        StatusCode code = StatusCode.OK;
        string? detail = null;
        Metadata? fromException = null;
        try
        {
            await handler(reader, writer, context).ConfigureAwait(false);
            if (timeout.HasValue && source.IsCancellationRequested && !aborted.IsCancellationRequested && !Runtime.Stopping.IsCancellationRequested)
            {
                (code, detail) = (StatusCode.DeadlineExceeded, "Deadline Exceeded");
            }
        }
        catch (Exception ex)
        {
            bool deadlineExceeded = timeout.HasValue && source.IsCancellationRequested && !aborted.IsCancellationRequested && !Runtime.Stopping.IsCancellationRequested;
            (code, detail, fromException) = StatusFromException(ex, deadlineExceeded, aborted);
        }

        Metadata? trailers = Metadata.Merge(context.ResponseTrailersOrNull, fromException);

        reader.Release();
        await writer.CompleteAsync().ConfigureAwait(false);
        if (aborted.IsCancellationRequested)
        {
            return;
        }

        if (writer.MessageWritten)
        {
            ServerResponses.WriteTrailers(response, code, detail, trailers);
        }
        else
        {
            ServerResponses.WriteTrailersOnly(response, code, detail, context.ResponseHeadersOrNull, trailers);
        }
    }
}
