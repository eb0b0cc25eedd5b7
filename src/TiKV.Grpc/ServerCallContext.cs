using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>What a server handler knows about its call.</summary>
public sealed class ServerCallContext
{
    private readonly HttpContext _httpContext;
    private Metadata? _requestHeaders;
    private Metadata? _responseHeaders;
    private Metadata? _responseTrailers;
    private string? _peer;

    internal ServerCallContext(HttpContext httpContext, string method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        _httpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The method path, e.g. <c>/tikvpb.Tikv/RawGet</c>.</summary>
    public string Method { get; }

    /// <summary>The client's address in gRPC form, e.g. <c>ipv4:127.0.0.1:53000</c>.</summary>
    public string Peer => _peer ??= FormatPeer(_httpContext.Connection.RemoteIpAddress, _httpContext.Connection.RemotePort);

    /// <summary>The metadata the client sent.</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>When the client's deadline (<c>grpc-timeout</c>) expires, or <see langword="null"/>.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the client cancels the call, the deadline expires or the server stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Metadata sent in the response headers; add entries before the first response message.</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= new Metadata();

    /// <summary>Metadata sent with the final status.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>The certificate the client presented over mutual TLS, or <see langword="null"/>.</summary>
    public X509Certificate2? ClientCertificate => _httpContext.Connection.ClientCertificate;

    internal Metadata? ResponseHeadersOrNull => _responseHeaders;

    internal Metadata? ResponseTrailersOrNull => _responseTrailers;

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in _httpContext.Request.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key))
            {
                continue;
            }

            foreach (string? value in header.Value)
            {
                if (value is not null)
                {
                    metadata.AddFromWire(header.Key, value);
                }
            }
        }

        return metadata;
    }

    private static string FormatPeer(IPAddress? address, int port) => address switch
    {
        null => "unknown",
        { AddressFamily: AddressFamily.InterNetworkV6 } => $"ipv6:[{address}]:{port}",
        _ => $"ipv4:{address}:{port}",
    };
}
