using System.Diagnostics;
using TiKV.Benchmarks.Load;
using TiKV.DevCluster.Storage;

namespace TiKV.Benchmarks.Engine;

/// <summary>
/// Durable writes: <c>writers</c> concurrent writers each awaiting a one-put batch (distinct keys, 16-byte
/// values) on the SQLite engine in a temporary directory. Group commit is what lets many writers share one fsync.
/// </summary>
internal sealed class SqliteEnginePutScenario : ILoadScenario
{
    private readonly int _valueSize;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-bench-" + Guid.NewGuid().ToString("N"));
    private SqliteStorageEngine? _engine;

    public SqliteEnginePutScenario(LoadOptions options)
    {
        WorkerCount = options.GetInt("writers", 256);
        _valueSize = options.GetInt("value-size", 16);
    }

    public string Description => $"sqlite engine one-put batches, writers={WorkerCount}, value={_valueSize} B";

    public string Unit => "write";

    public int WorkerCount { get; }

    public Task SetupAsync(CancellationToken cancellationToken)
    {
        _engine = SqliteStorageEngine.Open(_directory);
        return Task.CompletedTask;
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var engine = _engine!;
        var value = BenchKeys.Value(_valueSize, worker.Index);
        long sequence = 0;
        while (control.IsRunning)
        {
            var batch = new WriteBatch(1);
            batch.Put(ColumnFamily.Default, BenchKeys.Key(((long)worker.Index << 40) | sequence++), value);
            var start = Stopwatch.GetTimestamp();
            await engine.WriteAsync(batch);
            control.Record(worker, start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
