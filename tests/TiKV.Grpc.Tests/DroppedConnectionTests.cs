using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>
/// A connection that breaks mid-call (the server's process killed, the socket reset) makes the call UNAVAILABLE, as
/// gRPC C-core and grpc-dotnet report a lost transport, with the transport's exception as the cause.
/// </summary>
public sealed class DroppedConnectionTests
{
    [Fact]
    public async Task Unary_call_in_flight_when_the_connection_drops_is_unavailable()
    {
        var requestSeen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = RawHttp2Server.Start((connection, streamId) =>
        {
            requestSeen.TrySetResult(streamId);
            return Task.FromResult(true);
        });
        await using var channel = GrpcChannel.Create(server.Address);

        Task<EchoResponse> call = channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "in flight" });
        await requestSeen.Task;
        server.DropConnection();

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => call);
        AssertConnectionLost(error, server.Address);
    }

    [Fact]
    public async Task Duplex_read_when_the_connection_drops_is_unavailable()
    {
        await using var server = RawHttp2Server.Start(async (connection, streamId) =>
        {
            await connection.SendResponseHeadersAsync(streamId);
            await connection.SendMessageAsync(streamId, []);
            return true;
        });
        await using var channel = GrpcChannel.Create(server.Address);
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);

        Assert.True(await call.MoveNextAsync());
        ValueTask<bool> read = call.MoveNextAsync();
        server.DropConnection();

        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await read);
        AssertConnectionLost(error, server.Address);
        Assert.Equal(StatusCode.Unavailable, call.Status);
    }

    [Fact]
    public async Task Duplex_read_when_the_connection_drops_before_response_headers_is_unavailable()
    {
        // A BatchCommands stream whose server has not answered yet: the request body is still being sent.
        await using var server = RawHttp2Server.Start((connection, streamId) => Task.FromResult(true));
        await using var channel = GrpcChannel.Create(server.Address);
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { Text = "pending" });
        await server.DataReceived;
        ValueTask<bool> read = call.MoveNextAsync();

        server.DropConnection();

        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await read);
        AssertConnectionLost(error, server.Address);
        RpcException write = await Assert.ThrowsAsync<RpcException>(async () => await call.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Duplex_write_after_the_connection_dropped_is_unavailable(bool responseStarted)
    {
        await using var server = RawHttp2Server.Start(async (connection, streamId) =>
        {
            if (responseStarted)
            {
                await connection.SendResponseHeadersAsync(streamId);
            }

            return true;
        });
        await using var channel = GrpcChannel.Create(server.Address);
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { Text = "first" });
        await server.DataReceived;

        server.DropConnection();

        // The first writes after the reset may still land in socket buffers; the call fails once the client sees it.
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (true)
            {
                await call.WriteAsync(new EchoRequest { Text = "after the drop" });
                await Task.Delay(10);
            }
        });
        AssertConnectionLost(error, server.Address);
    }

    [Fact]
    public async Task Calls_running_on_a_killed_server_are_unavailable()
    {
        var server = new GrpcServer();
        using var handlersRunning = new CountdownEvent(2);
        server.MapUnary(EchoMethods.Unary, async (request, context) =>
        {
            handlersRunning.Signal();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new EchoResponse();
        });
        server.MapDuplexStreaming(EchoMethods.Duplex, async (requests, responses, context) =>
        {
            // Like a BatchCommands stream whose requests are still being served: no response sent yet.
            Assert.True(await requests.MoveNextAsync(context.CancellationToken));
            handlersRunning.Signal();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        });
        await server.StartAsync("127.0.0.1", 0);
        await using var channel = GrpcChannel.Create(server.Address);
        string address = server.Address;

        await using DuplexStreamingCall<EchoRequest, EchoResponse> stream = channel.DuplexStreaming(EchoMethods.Duplex);
        await stream.WriteAsync(new EchoRequest { Text = "pending" });
        ValueTask<bool> read = stream.MoveNextAsync();
        Task<EchoResponse> unary = channel.UnaryAsync(EchoMethods.Unary, new EchoRequest());
        while (!handlersRunning.IsSet)
        {
            await Task.Delay(10);
        }

        // A cancelled stop aborts every connection at once, as killing a store does.
        using (var killed = new CancellationTokenSource())
        {
            await killed.CancelAsync();
            await server.StopAsync(killed.Token);
        }

        RpcException unaryError = await Assert.ThrowsAsync<RpcException>(() => unary);
        Assert.True(unaryError.StatusCode == StatusCode.Unavailable, unaryError.ToString());
        Assert.Contains(address, unaryError.Detail, StringComparison.Ordinal);
        RpcException readError = await Assert.ThrowsAsync<RpcException>(async () => await read);
        Assert.True(readError.StatusCode == StatusCode.Unavailable, readError.ToString());
        RpcException writeError = await Assert.ThrowsAsync<RpcException>(async () => await stream.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, writeError.StatusCode);
        await server.DisposeAsync();
    }

    private static void AssertConnectionLost(RpcException error, string address)
    {
        Assert.True(error.StatusCode == StatusCode.Unavailable, $"{error.StatusCode}: {error.Detail} ({error.InnerException})");
        Assert.Contains(address, error.Detail, StringComparison.Ordinal);
        Assert.Contains("lost", error.Detail, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }
}
