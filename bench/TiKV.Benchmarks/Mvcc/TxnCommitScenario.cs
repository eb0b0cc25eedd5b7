using System.Diagnostics;
using Google.Protobuf;
using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Load;
using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;

namespace TiKV.Benchmarks.Mvcc;

/// <summary>
/// Single-key optimistic transactions (prewrite then commit) on <see cref="TxnEngine"/> in-process, from
/// <c>writers</c> concurrent tasks on distinct keys, over the in-memory engine (or SQLite with --storage sqlite).
/// </summary>
internal sealed class TxnCommitScenario : ILoadScenario
{
    private readonly string _storageKind;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-bench-" + Guid.NewGuid().ToString("N"));
    private readonly Timestamps _tso = new();
    private IStorageEngine? _storage;
    private TxnEngine? _engine;

    public TxnCommitScenario(LoadOptions options)
    {
        WorkerCount = options.GetInt("writers", 64);
        _storageKind = options.GetString("storage") ?? "memory";
    }

    public string Description => $"txn prewrite+commit, 1 key/txn, writers={WorkerCount}, storage={_storageKind}";

    public string Unit => "txn";

    public int WorkerCount { get; }

    public Task SetupAsync(CancellationToken cancellationToken)
    {
        _storage = _storageKind switch
        {
            "memory" => new MemoryStorageEngine(),
            "sqlite" => SqliteStorageEngine.Open(_directory),
            _ => throw new ArgumentException($"--storage must be 'memory' or 'sqlite', not '{_storageKind}'."),
        };
        _engine = new TxnEngine(_storage, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var engine = _engine!;
        var value = ByteString.CopyFrom(BenchKeys.Value(16, worker.Index));
        long sequence = 0;
        while (control.IsRunning)
        {
            var key = ByteString.CopyFrom(BenchKeys.Key(((long)worker.Index << 40) | sequence++));
            var start = Stopwatch.GetTimestamp();
            await TxnRequests.CommitOneAsync(engine, _tso, key, value);
            control.Record(worker, start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _engine?.Dispose();
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
