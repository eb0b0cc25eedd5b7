namespace TiKV.Grpc.Tests;

/// <summary>An Echo server on an ephemeral loopback port with a channel to it.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private EchoServer(GrpcServer server, EchoService service, GrpcChannel channel)
    {
        Server = server;
        Service = service;
        Channel = channel;
    }

    public GrpcServer Server { get; }

    public EchoService Service { get; }

    public GrpcChannel Channel { get; }

    public static async Task<EchoServer> StartAsync(GrpcServerOptions? serverOptions = null, GrpcChannelOptions? channelOptions = null)
    {
        var server = new GrpcServer(serverOptions);
        var service = new EchoService();
        service.MapTo(server);
        await server.StartAsync("127.0.0.1", 0);
        string scheme = serverOptions?.ServerCertificate is null ? "http" : "https";
        var channel = GrpcChannel.Create($"{scheme}://{server.Address}", channelOptions);
        return new EchoServer(server, service, channel);
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync();
        await Server.DisposeAsync();
    }
}
