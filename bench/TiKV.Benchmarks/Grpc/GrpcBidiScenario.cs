using Google.Protobuf;
using TiKV.Benchmarks.Load;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Grpc;

/// <summary>
/// Bidi echo throughput: frames of <c>batch</c> messages, <c>inflight</c> messages outstanding per stream,
/// <c>streams</c> streams on one channel. Also reports what parsing the messages alone allocates, to tell
/// the gRPC layer's own allocation apart from the messages'.
/// </summary>
internal sealed class GrpcBidiScenario : ILoadScenario
{
    private readonly int _batch;
    private readonly int _inflight;
    private GrpcServer? _server;
    private GrpcChannel? _channel;
    private double _parseBytesPerMessage;

    public GrpcBidiScenario(LoadOptions options)
    {
        _batch = options.GetInt("batch", 64);
        _inflight = options.GetInt("inflight", 1024);
        WorkerCount = options.GetInt("streams", 1);
        if (_inflight < _batch)
        {
            throw new ArgumentException($"--inflight ({_inflight}) must be at least --batch ({_batch}).");
        }
    }

    public string Description => FormattableString.Invariant(
        $"grpc bidi echo, batch={_batch}, inflight={_inflight}, streams={WorkerCount} (parsing alone: {_parseBytesPerMessage:N1} B/msg per side)");

    public string Unit => "msg";

    public int WorkerCount { get; }

    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _parseBytesPerMessage = MeasureParseAllocation(EchoServer.Batch(_batch)) / _batch;
        _server = await EchoServer.StartAsync(cancellationToken);
        _channel = GrpcChannel.Create(_server.Address);
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var request = EchoServer.Batch(_batch);
        var call = _channel!.DuplexStreaming(EchoMethods.Stream);
        await PipelinedStream.RunAsync(call, [request], _batch, _inflight / _batch, response =>
        {
            if (response.Messages.Count != _batch)
            {
                throw new InvalidOperationException($"Echo returned {response.Messages.Count} messages for {_batch}.");
            }

            return _batch;
        }, worker, control);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Bytes allocated by parsing one serialized frame: the unavoidable cost of the messages themselves.</summary>
    internal static double MeasureParseAllocation<T>(T message)
        where T : IMessage<T>, new()
    {
        var bytes = message.ToByteArray();
        var parser = new MessageParser<T>(() => new T());
        for (var i = 0; i < 1000; i++)
        {
            parser.ParseFrom(bytes);
        }

        const int Rounds = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            parser.ParseFrom(bytes);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Rounds;
    }
}
