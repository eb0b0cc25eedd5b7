using Microsoft.Extensions.Logging;

namespace TiKV.Grpc.Internal;

/// <summary>The server's few log events.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "gRPC handler for {Method} failed; the call ends with Unknown.")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);
}
