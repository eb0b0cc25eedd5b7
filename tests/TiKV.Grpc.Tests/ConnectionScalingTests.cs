using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>Calls beyond the server's per-connection stream limit open more connections instead of queueing.</summary>
public sealed class ConnectionScalingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Calls_beyond_the_stream_limit_run_concurrently(int connectionsPerEndpoint)
    {
        // SocketsHttpHandler assumes 100 streams until the server's SETTINGS arrive, so a lower limit would race
        // with the first burst; TiKV's and this server's defaults are far above it.
        const int StreamLimit = 100;
        const int Calls = 250;
        int active = 0;
        int peak = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new GrpcServer(new GrpcServerOptions { MaxConcurrentStreams = StreamLimit });
        server.MapUnary(EchoMethods.Unary, async (request, context) =>
        {
            int now = Interlocked.Increment(ref active);
            InterlockedMax(ref peak, now);
            if (now == Calls)
            {
                allIn.TrySetResult();
            }

            // Every call waits until all are in at once; with queueing behind one connection's limit that never
            // happens and the calls give up after the fallback wait.
            await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            Interlocked.Decrement(ref active);
            return new EchoResponse { Sequence = request.Sequence };
        });
        await server.StartAsync("127.0.0.1", 0);
        await using var channel = GrpcChannel.Create(server.Address, new GrpcChannelOptions { ConnectionsPerEndpoint = connectionsPerEndpoint });

        await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Sequence = i })));
        Assert.Equal(Calls, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
