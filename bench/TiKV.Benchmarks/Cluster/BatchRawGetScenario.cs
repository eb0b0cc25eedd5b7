using Google.Protobuf;
using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Grpc;
using TiKV.Benchmarks.Load;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Benchmarks.Cluster;

/// <summary>
/// BatchCommands RawGet throughput over loopback: frames of <c>batch</c> RawGets, <c>inflight</c> gets
/// outstanding per stream, <c>streams</c> streams. The target is either a started DevCluster store
/// (<see cref="BatchTarget.DevCluster"/>) or the storage-less <see cref="NullTikvServer"/> (the ceiling).
/// </summary>
internal sealed class BatchRawGetScenario : ILoadScenario
{
    private const int DistinctFrames = 64;

    /// <summary>
    /// What the null server is sent: a context shaped like a fresh cluster's leader context (region, epoch, peer), so
    /// both targets parse the same bytes and the difference between them is the store's own work.
    /// </summary>
    private static readonly Context NullTargetContext = new()
    {
        RegionId = 2,
        RegionEpoch = new Proto.Metapb.RegionEpoch { ConfVer = 3, Version = 1 },
        Peer = new Proto.Metapb.Peer { Id = 3, StoreId = 1 },
    };

    private readonly BatchTarget _target;
    private readonly int _batch;
    private readonly int _inflight;
    private readonly int _keyCount;
    private IAsyncDisposable? _server;
    private GrpcChannel? _channel;
    private ByteString[] _keys = [];
    private Func<ByteString, Context> _contextOf = _ => NullTargetContext;
    private long _responseFrames;
    private long _answers;

    public BatchRawGetScenario(BatchTarget target, LoadOptions options)
    {
        _target = target;
        _batch = options.GetInt("batch", 64);
        _inflight = options.GetInt("inflight", 1024);
        _keyCount = options.GetInt("keys", 10_000);
        WorkerCount = options.GetInt("streams", 1);
    }

    public string Description => FormattableString.Invariant(
        $"BatchCommands RawGet → {(_target == BatchTarget.DevCluster ? "DevCluster store" : "null Tikv server (ceiling)")}, batch={_batch}, inflight={_inflight}, streams={WorkerCount} ({(double)_answers / Math.Max(1, _responseFrames):N1} answers per response frame)");

    public string Unit => "get";

    public int WorkerCount { get; }

    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _keys = new ByteString[_keyCount];
        for (var i = 0; i < _keyCount; i++)
        {
            _keys[i] = ByteString.CopyFrom(BenchKeys.Key(i));
        }

        if (_target == BatchTarget.DevCluster)
        {
            var cluster = await DevClusterTarget.StartAsync(_keys, cancellationToken);
            _server = cluster;
            _contextOf = cluster.ContextOf;
            _channel = GrpcChannel.Create(cluster.StoreAddress);
        }
        else
        {
            var server = await NullTikvServer.StartAsync(cancellationToken);
            _server = server;
            _channel = GrpcChannel.Create(server.Address);
        }
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var frames = RawGetFrames.Build(_keys, _contextOf, _batch, DistinctFrames, worker.Index);
        var call = _channel!.DuplexStreaming(TikvMethods.BatchCommands);
        await PipelinedStream.RunAsync(call, frames, _batch, Math.Max(1, _inflight / _batch), response =>
        {
            var answers = RawGetFrames.Validate(response);
            Interlocked.Increment(ref _responseFrames);
            Interlocked.Add(ref _answers, answers);
            return answers;
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
}
