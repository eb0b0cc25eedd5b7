using Microsoft.AspNetCore.Http;

namespace TiKV.Grpc.Internal;

/// <summary>One routed gRPC method on the server.</summary>
internal abstract class ServerMethod(string fullName, ServerRuntime runtime)
{
    public string FullName { get; } = fullName;

    protected ServerRuntime Runtime { get; } = runtime;

    public abstract Task HandleAsync(HttpContext httpContext);

    /// <summary>The status a failed handler ends its call with.</summary>
    protected (StatusCode Code, string Detail, Metadata? Trailers) StatusFromException(Exception exception, bool deadlineExceeded, CancellationToken requestAborted)
    {
        switch (exception)
        {
            case RpcException rpc:
                return (rpc.StatusCode, rpc.Detail, rpc.Trailers);
            case OperationCanceledException when deadlineExceeded:
                return (StatusCode.DeadlineExceeded, "Deadline Exceeded", null);
            case OperationCanceledException or IOException when requestAborted.IsCancellationRequested:
                return (StatusCode.Cancelled, "The client cancelled the call.", null);
            case OperationCanceledException when Runtime.Stopping.IsCancellationRequested:
                return (StatusCode.Unavailable, "The server is shutting down.", null);
            default:
                ServerLog.HandlerFailed(Runtime.Logger, FullName, exception);
                return (StatusCode.Unknown, $"Exception was thrown by handler: {exception.Message}", null);
        }
    }
}
