using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>TLS with certificates made in the test: custom roots on both sides and a client certificate.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Mutual_tls_call_succeeds_and_the_server_sees_the_client_certificate()
    {
        using X509Certificate2 serverCertificate = CreateCertificate("CN=tikv-server");
        using X509Certificate2 clientCertificate = CreateCertificate("CN=tikv-client");
        await using GrpcServer server = await StartServerAsync(serverCertificate, clientCertificate);
        await using var channel = GrpcChannel.Create($"https://{server.Address}", new GrpcChannelOptions
        {
            RootCertificates = [serverCertificate],
            ClientCertificate = clientCertificate,
        });

        EchoResponse reply = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest());
        Assert.Equal("CN=tikv-client", reply.Text);

        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { Sequence = 5 });
        Assert.True(await call.MoveNextAsync());
        Assert.Equal(5, call.Current.Sequence);
    }

    [Fact]
    public async Task Host_and_port_target_with_use_tls_connects_over_tls()
    {
        using X509Certificate2 serverCertificate = CreateCertificate("CN=tikv-server");
        using X509Certificate2 clientCertificate = CreateCertificate("CN=tikv-client");
        await using GrpcServer server = await StartServerAsync(serverCertificate, clientCertificate);
        await using var channel = GrpcChannel.Create(server.Address, new GrpcChannelOptions
        {
            UseTls = true,
            RootCertificates = [serverCertificate],
            ClientCertificate = clientCertificate,
        });

        Assert.Equal("CN=tikv-client", (await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest())).Text);
    }

    [Fact]
    public async Task Untrusted_server_certificate_is_unavailable()
    {
        using X509Certificate2 serverCertificate = CreateCertificate("CN=tikv-server");
        using X509Certificate2 clientCertificate = CreateCertificate("CN=tikv-client");
        using X509Certificate2 otherRoot = CreateCertificate("CN=someone-else");
        await using GrpcServer server = await StartServerAsync(serverCertificate, clientCertificate);
        await using var channel = GrpcChannel.Create($"https://{server.Address}", new GrpcChannelOptions
        {
            RootCertificates = [otherRoot],
            ClientCertificate = clientCertificate,
        });

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains(server.Address, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_client_certificate_is_refused()
    {
        using X509Certificate2 serverCertificate = CreateCertificate("CN=tikv-server");
        using X509Certificate2 clientCertificate = CreateCertificate("CN=tikv-client");
        await using GrpcServer server = await StartServerAsync(serverCertificate, clientCertificate);
        await using var channel = GrpcChannel.Create($"https://{server.Address}", new GrpcChannelOptions { RootCertificates = [serverCertificate] });

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static async Task<GrpcServer> StartServerAsync(X509Certificate2 serverCertificate, X509Certificate2 clientRoot)
    {
        var server = new GrpcServer(new GrpcServerOptions
        {
            ServerCertificate = serverCertificate,
            RequireClientCertificate = true,
            ClientCertificateRoots = [clientRoot],
        });
        server.MapUnary(EchoMethods.Unary, (_, context) =>
            ValueTask.FromResult(new EchoResponse { Text = context.ClientCertificate?.Subject ?? "none" }));
        server.MapDuplexStreaming(EchoMethods.Duplex, async (requests, responses, context) =>
        {
            await foreach (EchoRequest request in requests.ReadAllAsync(context.CancellationToken))
            {
                await responses.WriteAsync(new EchoResponse { Sequence = request.Sequence });
            }
        });
        await server.StartAsync("127.0.0.1", 0);
        return server;
    }

    /// <summary>A self-signed certificate valid for 127.0.0.1 and localhost, usable by servers and clients.</summary>
    private static X509Certificate2 CreateCertificate(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // A PKCS#12 round trip gives a certificate whose private key TLS can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
