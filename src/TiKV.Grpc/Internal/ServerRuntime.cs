using Microsoft.Extensions.Logging;

namespace TiKV.Grpc.Internal;

/// <summary>Server-wide settings and state shared by all routed methods.</summary>
internal sealed class ServerRuntime(GrpcServerOptions options, ILogger logger, CancellationToken stopping)
{
    public int MaxReceiveMessageSize { get; } = options.MaxReceiveMessageSize;

    public int MaxSendMessageSize { get; } = options.MaxSendMessageSize;

    public TimeProvider TimeProvider { get; } = options.TimeProvider;

    public ILogger Logger { get; } = logger;

    /// <summary>Cancelled when the server begins to stop, so long-lived streams end.</summary>
    public CancellationToken Stopping { get; } = stopping;
}
