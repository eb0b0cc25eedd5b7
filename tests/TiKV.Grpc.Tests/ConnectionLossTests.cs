using System.Buffers.Binary;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>
/// A server that goes away before it takes a call up makes the call UNAVAILABLE (retryable), as gRPC's HTTP/2 mapping
/// and C-core/grpc-java report it; a reset after the response started keeps the RST_STREAM mapping.
/// </summary>
public sealed class ConnectionLossTests
{
    [Fact]
    public async Task Graceful_goaway_then_close_before_any_response_is_unavailable()
    {
        await using var server = RawHttp2Server.Start(async (connection, streamId) =>
        {
            // Kestrel's graceful shutdown: GOAWAY NO_ERROR, then the connection closes without answering.
            await connection.SendAsync(RawHttp2Server.GoAwayFrame, 0, 0, GoAwayPayload(streamId, errorCode: 0));
            return false;
        });
        await using var channel = GrpcChannel.Create(server.Address);

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.ToString() + error.InnerException);
        Assert.Contains(server.Address, error.Detail, StringComparison.Ordinal);
        Assert.Contains("NO_ERROR", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_stream_is_unavailable_and_other_resets_before_a_response_keep_their_mapping()
    {
        uint resetCode = 0x7;
        await using var server = RawHttp2Server.Start(async (connection, streamId) =>
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(payload, resetCode);
            await connection.SendAsync(RawHttp2Server.RstStreamFrame, 0, streamId, payload);
            return true;
        });
        await using var channel = GrpcChannel.Create(server.Address);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

        // INTERNAL_ERROR: the gRPC HTTP/2 mapping says INTERNAL; nothing suggests the call was not taken up.
        resetCode = 0x2;
        RpcException internalError = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Internal, internalError.StatusCode);
    }

    [Fact]
    public async Task Calls_on_a_connection_to_a_stopped_server_are_unavailable()
    {
        for (int i = 0; i < 5; i++)
        {
            var server = new GrpcServer(new GrpcServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(2) });
            new EchoService().MapTo(server);
            await server.StartAsync("127.0.0.1", 0);
            await using var channel = GrpcChannel.Create(server.Address);
            await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "up" });
            await server.StopAsync();

            // The client may not have seen the connection close yet: the call then fails on the old connection.
            RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            await server.DisposeAsync();
        }
    }

    private static byte[] GoAwayPayload(int lastStreamId, uint errorCode)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), errorCode);
        return payload;
    }
}
