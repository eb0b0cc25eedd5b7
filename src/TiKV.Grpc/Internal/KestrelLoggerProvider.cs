using Microsoft.Extensions.Logging;

namespace TiKV.Grpc.Internal;

/// <summary>Sends the logs of a TLS server's web host to the logger factory the server was given.</summary>
internal sealed class KestrelLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to the caller.
    }
}
