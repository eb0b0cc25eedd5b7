using Microsoft.Extensions.Logging;

namespace TiKV.Grpc.Internal;

/// <summary>The server's few log events.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "gRPC handler for {Method} failed; the call ends with Unknown.")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "gRPC server on {Address} did not stop gracefully within {Timeout}; remaining calls were aborted.")]
    public static partial void ShutdownAborted(ILogger logger, string address, TimeSpan timeout);
}
