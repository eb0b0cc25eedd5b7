using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>Options for a <see cref="GrpcChannel"/>. Read once when the channel is created.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted, in bytes. Default 64 MiB (TiKV raises gRPC's 4 MiB default too).</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest request message sent, in bytes; larger ones fail locally with ResourceExhausted. Default 64 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>
    /// How many independent HTTP/2 connection pools the channel spreads calls over. Default 1. Each pool still opens
    /// extra connections when the server's concurrent-stream limit is reached, so calls never queue behind it.
    /// </summary>
    public int ConnectionsPerEndpoint { get; set; } = 1;

    /// <summary>
    /// Idle time after which the client pings the server while calls are active. Default 10 s; values below 10 s are
    /// raised to 10 s because gRPC servers answer frequent pings with GOAWAY <c>too_many_pings</c>.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for a ping acknowledgement before closing the connection. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long establishing a connection (TCP and TLS) may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Use TLS for targets given without a scheme. An <c>https://</c> target always uses TLS. Default false.</summary>
    public bool UseTls { get; set; }

    /// <summary>Trusted roots for the server certificate instead of the system store (e.g. a cluster CA).</summary>
    public X509Certificate2Collection? RootCertificates { get; set; }

    /// <summary>Client certificate presented for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Custom server certificate validation; replaces both the system and <see cref="RootCertificates"/> checks.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    /// <summary>Value of the <c>user-agent</c> header. Default <c>tikv-dotnet-grpc/0.1</c>.</summary>
    public string UserAgent { get; set; } = GrpcProtocol.UserAgent;

    /// <summary>Clock used for call deadlines. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
