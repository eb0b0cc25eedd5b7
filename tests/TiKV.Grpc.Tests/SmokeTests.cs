using Google.Protobuf;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Unary_and_duplex_round_trip()
    {
        await using EchoServer echo = await EchoServer.StartAsync();
        EchoResponse reply = await echo.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "hello", Payload = ByteString.CopyFromUtf8("p") });
        Assert.Equal("hello", reply.Text);

        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = echo.Channel.DuplexStreaming(EchoMethods.Duplex);
        for (int i = 0; i < 3; i++)
        {
            await call.WriteAsync(new EchoRequest { Sequence = i });
            Assert.True(await call.MoveNextAsync());
            Assert.Equal(i, call.Current.Sequence);
        }

        await call.CompleteAsync();
        Assert.False(await call.MoveNextAsync());
        Assert.Equal(StatusCode.OK, call.Status);
    }
}
