using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>Options for a <see cref="GrpcServer"/>. Read when the server starts.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted, in bytes; larger ones fail with ResourceExhausted. Default 64 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest response message sent, in bytes; larger ones fail the call with ResourceExhausted. Default 64 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>HTTP/2 concurrent streams allowed per connection (SETTINGS_MAX_CONCURRENT_STREAMS). Default 1024.</summary>
    public int MaxConcurrentStreams { get; set; } = 1024;

    /// <summary>Serve TLS with this certificate (it must have a private key). <see langword="null"/> serves h2c. Default null.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Require clients to present a certificate (mutual TLS). Default false.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>
    /// Trusted roots for client certificates instead of the system store (e.g. a cluster CA). Default null.
    /// </summary>
    public X509Certificate2Collection? ClientCertificateRoots { get; set; }

    /// <summary>Receives the server's warnings and errors. Default: none (quiet).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How long <see cref="GrpcServer.StopAsync"/> waits for calls to finish before aborting them. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Clock used for call deadlines. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
