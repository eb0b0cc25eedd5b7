using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using TiKV.Benchmarks.Echo;
using TiKV.Benchmarks.Grpc;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Micro;

/// <summary>One unary echo call at a time on loopback: round-trip latency and allocation (client + server).</summary>
[Config(typeof(BenchConfig))]
public class GrpcUnaryBenchmarks
{
    private GrpcServer _server = null!;
    private GrpcChannel _channel = null!;
    private EchoMessage _request = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _server = await EchoServer.StartAsync();
        _channel = GrpcChannel.Create(_server.Address);
        _request = new EchoMessage { Id = 1, Payload = ByteString.CopyFrom(new byte[16]) };
    }

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        await _channel.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark]
    public Task<EchoMessage> UnaryRoundTrip() => _channel.UnaryAsync(EchoMethods.Unary, _request);
}
