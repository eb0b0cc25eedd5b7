using System.Net;
using System.Net.Sockets;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Stopped_server_releases_its_port_and_calls_become_unavailable()
    {
        var server = new GrpcServer(new GrpcServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(2) });
        var service = new EchoService();
        service.MapTo(server);
        await server.StartAsync("127.0.0.1", 0);
        Assert.NotEqual(0, server.Port);
        Assert.Equal($"127.0.0.1:{server.Port}", server.Address);
        await using var channel = GrpcChannel.Create(server.Address);
        Assert.Equal("up", (await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "up" })).Text);

        // An open stream ends when the server stops instead of holding shutdown for the whole timeout.
        DuplexStreamingCall<EchoRequest, EchoResponse> stream = channel.DuplexStreaming(EchoMethods.Duplex);
        await stream.WriteAsync(new EchoRequest { Sequence = 1 });
        Assert.True(await stream.MoveNextAsync());

        await server.StopAsync();
        RpcException streamError = await Assert.ThrowsAsync<RpcException>(async () => await stream.MoveNextAsync());
        Assert.Equal(StatusCode.Unavailable, streamError.StatusCode);
        await stream.DisposeAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, server.Port));

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Taken_port_fails_start_with_address_in_use_and_disposes_cleanly()
    {
        await using var first = new GrpcServer();
        await first.StartAsync("127.0.0.1", 0);
        var second = new GrpcServer();
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => second.StartAsync("127.0.0.1", first.Port));
        Assert.Contains("address already in use", error.ToString(), StringComparison.OrdinalIgnoreCase);
        await second.StopAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Nothing_listening_is_unavailable_naming_the_target()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var channel = GrpcChannel.Create($"127.0.0.1:{port}");
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", error.Detail, StringComparison.Ordinal);
        Assert.Contains("Failed to connect", error.Detail, StringComparison.Ordinal);

        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        RpcException streamError = await Assert.ThrowsAsync<RpcException>(async () => await call.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, streamError.StatusCode);
        Assert.Equal(StatusCode.Unavailable, call.Status);
    }

    [Fact]
    public async Task Server_rejects_mapping_after_start_and_mismatched_kinds()
    {
        await using var server = new GrpcServer();
        Assert.Throws<ArgumentException>(() => server.MapUnary(EchoMethods.Duplex, (r, c) => ValueTask.FromResult(new EchoResponse())));
        server.MapUnary(EchoMethods.Unary, (r, c) => ValueTask.FromResult(new EchoResponse()));
        Assert.Throws<ArgumentException>(() => server.MapUnary(EchoMethods.Unary, (r, c) => ValueTask.FromResult(new EchoResponse())));
        await server.StartAsync("localhost", 0);
        Assert.Throws<InvalidOperationException>(() => server.MapUnary(EchoMethods.Missing, (r, c) => ValueTask.FromResult(new EchoResponse())));
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync("127.0.0.1", 0));
    }

    [Fact]
    public async Task Server_writes_from_many_tasks_are_serialized()
    {
        const int Writers = 4;
        const int PerWriter = 500;
        await using var server = new GrpcServer();
        server.MapDuplexStreaming(EchoMethods.Duplex, async (requests, responses, context) =>
        {
            Assert.True(await requests.MoveNextAsync());
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < PerWriter; i++)
                {
                    await responses.WriteAsync(new EchoResponse { Sequence = (w * PerWriter) + i, Text = new string('x', w) }, flush: i % 16 == 15);
                }
            })));
        });
        await server.StartAsync("127.0.0.1", 0);
        await using var channel = GrpcChannel.Create(server.Address);
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest());
        await call.CompleteAsync();

        var seen = new HashSet<int>();
        await foreach (EchoResponse response in call.ReadAllAsync())
        {
            Assert.True(seen.Add(response.Sequence));
            Assert.Equal(response.Sequence / PerWriter, response.Text.Length);
        }

        Assert.Equal(Writers * PerWriter, seen.Count);
        Assert.Equal(StatusCode.OK, call.Status);
    }

    [Fact]
    public async Task Handler_exception_is_unknown_with_its_message()
    {
        await using var server = new GrpcServer();
        server.MapUnary<EchoRequest, EchoResponse>(EchoMethods.Unary, (_, _) => throw new InvalidOperationException("region 7 is gone"));
        await server.StartAsync("127.0.0.1", 0);
        await using var channel = GrpcChannel.Create(server.Address);
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("region 7 is gone", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_deadline_is_visible_to_handlers()
    {
        await using EchoServer echo = await EchoServer.StartAsync();
        DateTimeOffset before = DateTimeOffset.UtcNow;
        await echo.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest(), new CallOptions(Timeout: TimeSpan.FromSeconds(30)));
        DateTimeOffset? deadline = echo.Service.LastDeadline;
        Assert.NotNull(deadline);
        Assert.InRange(deadline.Value, before.AddSeconds(29), before.AddSeconds(31));
    }
}
