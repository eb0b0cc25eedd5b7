using System.Net.Sockets;
using System.Security.Authentication;

namespace TiKV.Grpc.Internal;

/// <summary>Turns transport failures seen by the client into gRPC statuses.</summary>
internal static class ClientErrors
{
    private const long NoError = 0x0;
    private const long RefusedStream = 0x7;

    public static RpcException DeadlineExceeded() => new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    public static RpcException Cancelled() => new(StatusCode.Cancelled, "Call cancelled by the client.");

    /// <summary>
    /// Maps an exception from the HTTP/2 stack; cancellation by deadline or caller is decided by the call beforehand.
    /// </summary>
    public static RpcException FromTransport(Exception exception, string target)
    {
        if (exception is RpcException rpc)
        {
            return rpc;
        }

        // A stream reset or GOAWAY may arrive wrapped in HttpRequestException or IOException; its HTTP/2 error code
        // decides the status.
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpProtocolException protocol)
            {
                if (exception is HttpRequestException && protocol.ErrorCode is NoError or RefusedStream)
                {
                    // HttpClient wraps an error in HttpRequestException only before response headers arrive. A
                    // connection closed with NO_ERROR (a graceful GOAWAY: the server is stopping) or a refused stream
                    // at that point means the server never took the call up; gRPC (PROTOCOL-HTTP2, as C-core and
                    // grpc-java do) reports that UNAVAILABLE so callers retry it elsewhere or later. A reset once the
                    // response has started keeps the RST_STREAM mapping below.
                    return new RpcException(
                        StatusCode.Unavailable,
                        $"{target} closed the connection before taking the call up: {protocol.Message}",
                        null,
                        exception);
                }

                return new RpcException(
                    GrpcProtocol.FromHttp2ErrorCode(protocol.ErrorCode),
                    $"HTTP/2 error from {target}: {protocol.Message}",
                    null,
                    exception);
            }
        }

        switch (exception)
        {
            case HttpRequestException request when IsConnectFailure(request):
                return new RpcException(
                    StatusCode.Unavailable,
                    $"Failed to connect to {target}: {InnermostMessage(request)}",
                    null,
                    request);
            case HttpRequestException request when request.HttpRequestError is HttpRequestError.ResponseEnded || request.InnerException is IOException:
                return ConnectionLost(target, InnermostMessage(request), request);
            case HttpRequestException request:
                return new RpcException(StatusCode.Unavailable, $"Request to {target} failed: {InnermostMessage(request)}", null, request);
            case OperationCanceledException cancelled when cancelled.InnerException is TimeoutException:
                return new RpcException(StatusCode.Unavailable, $"Failed to connect to {target}: connect timeout.", null, cancelled);
            case OperationCanceledException cancelled:
                // Deadline and caller cancellation are decided before this, so the cancellation came from the HTTP/2
                // stack itself: SocketsHttpHandler cancels a request body still being sent (a duplex stream the server
                // has not answered yet) when its connection is aborted by a reset, an EOF or a GOAWAY. The cause is
                // the lost connection; C-core and grpc-dotnet report a lost transport UNAVAILABLE, which callers retry.
                return ConnectionLost(target, $"the HTTP/2 stream was aborted ({cancelled.Message})", cancelled);
            case IOException io:
                return ConnectionLost(target, InnermostMessage(io), io);
            case ObjectDisposedException disposed:
                return new RpcException(StatusCode.Unavailable, $"The stream to {target} was closed: {disposed.Message}", null, disposed);
            default:
                return new RpcException(StatusCode.Internal, $"Call to {target} failed: {exception.Message}", null, exception);
        }
    }

    private static RpcException ConnectionLost(string target, string cause, Exception exception) =>
        new(StatusCode.Unavailable, $"Connection to {target} was lost: {cause}", null, exception);

    private static bool IsConnectFailure(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
        || exception.InnerException is SocketException or AuthenticationException;

    private static string InnermostMessage(Exception exception)
    {
        Exception current = exception;
        string message = exception.Message;
        while (current.InnerException is { } inner)
        {
            current = inner;
            message = $"{message} ({inner.Message})";
        }

        return message;
    }
}
