using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using TiKV.Benchmarks.Echo;
using TiKV.Benchmarks.Grpc;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Micro;

/// <summary>
/// One frame of <see cref="Batch"/> messages at a time on an open loopback bidi stream (figures are per
/// frame: divide by <see cref="Batch"/> for per message). Allocation covers client, server and the
/// messages themselves; <see cref="ParseFrame"/> isolates the messages' own share (paid once per side).
/// </summary>
[Config(typeof(BenchConfig))]
public class GrpcStreamBenchmarks
{
    private GrpcServer _server = null!;
    private GrpcChannel _channel = null!;
    private DuplexStreamingCall<EchoBatch, EchoBatch> _stream = null!;
    private EchoBatch _frame = null!;
    private byte[] _serializedFrame = [];

    [Params(1, 64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _server = await EchoServer.StartAsync();
        _channel = GrpcChannel.Create(_server.Address);
        _stream = _channel.DuplexStreaming(EchoMethods.Stream);
        _frame = EchoServer.Batch(Batch);
        _serializedFrame = _frame.ToByteArray();
    }

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        await _stream.DisposeAsync();
        await _channel.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark]
    public async Task<int> StreamFrameRoundTrip()
    {
        await _stream.WriteAsync(_frame);
        if (!await _stream.MoveNextAsync())
        {
            throw new InvalidOperationException("The echo stream ended.");
        }

        return _stream.Current.Messages.Count;
    }

    /// <summary>Parsing one frame: the allocation any receiver pays for the messages themselves.</summary>
    [Benchmark]
    public EchoBatch ParseFrame() => EchoBatch.Parser.ParseFrom(_serializedFrame);
}
