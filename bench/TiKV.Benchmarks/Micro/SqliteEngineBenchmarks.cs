using BenchmarkDotNet.Attributes;
using TiKV.Benchmarks.Engine;
using TiKV.DevCluster.Storage;

namespace TiKV.Benchmarks.Micro;

/// <summary>
/// Durable writes on the SQLite engine (default options: kill-safe, no fsync): one writer awaiting each one-put
/// batch (a log commit per write), and <see cref="ConcurrentWriters"/> one-put batches issued together and awaited
/// together (one group commit, reported per write), with keys that are adjacent (<c>sequential</c>) or spread
/// (<c>random</c>).
/// </summary>
[Config(typeof(BenchConfig))]
public class SqliteEngineBenchmarks
{
    private const int ConcurrentWriters = 256;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-bench-" + Guid.NewGuid().ToString("N"));
    private readonly Task[] _pending = new Task[ConcurrentWriters];
    private SqliteStorageEngine _engine = null!;
    private byte[] _value = [];
    private Random _random = null!;
    private long _next;

    [Params("sequential", "random")]
    public string Pattern { get; set; } = "sequential";

    [GlobalSetup]
    public void Setup()
    {
        _engine = SqliteStorageEngine.Open(_directory);
        _value = BenchKeys.Value(16, 1);
        _random = new Random(42);
    }

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public ValueTask OneWriter() => _engine.WriteAsync(NextBatch());

    [Benchmark(OperationsPerInvoke = ConcurrentWriters)]
    public async Task GroupOf256Writers()
    {
        for (var i = 0; i < ConcurrentWriters; i++)
        {
            _pending[i] = _engine.WriteAsync(NextBatch()).AsTask();
        }

        await Task.WhenAll(_pending);
    }

    private WriteBatch NextBatch()
    {
        var batch = new WriteBatch(1);
        var index = Pattern == "random" ? _random.NextInt64() : _next++;
        batch.Put(ColumnFamily.Default, BenchKeys.Key(index), _value);
        return batch;
    }
}
