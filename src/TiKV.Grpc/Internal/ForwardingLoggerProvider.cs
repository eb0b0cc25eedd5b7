using Microsoft.Extensions.Logging;

namespace TiKV.Grpc.Internal;

/// <summary>Sends the embedded web host's logs to the logger factory the server was given.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to the caller.
    }
}
