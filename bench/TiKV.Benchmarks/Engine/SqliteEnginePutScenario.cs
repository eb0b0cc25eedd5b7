using System.Diagnostics;
using TiKV.Benchmarks.Load;
using TiKV.DevCluster.Storage;

namespace TiKV.Benchmarks.Engine;

/// <summary>
/// Durable writes: <c>writers</c> concurrent writers each awaiting a one-put batch (new keys, 16-byte values)
/// on the SQLite engine in a temporary directory. Group commit is what lets many writers share one fsync.
/// <c>pattern</c> places the keys: <c>sequential</c> (one global counter: a commit group touches adjacent keys),
/// <c>per-writer</c> (each writer appends in its own key range: a group touches one spot per writer) or
/// <c>random</c> (uniform over the key space). <c>--fsync on</c> makes every group commit fsync (power-loss
/// safe); the engine's default (<c>off</c>) leaves an acknowledged write in the WAL through the OS (kill-safe).
/// <c>fold-mb</c> and <c>max-memtable-mb</c> override the memtable sizes (see <see cref="SqliteStorageOptions"/>).
/// </summary>
internal sealed class SqliteEnginePutScenario : ILoadScenario
{
    private readonly int _valueSize;
    private readonly string _pattern;
    private readonly bool _fsync;
    private readonly SqliteStorageOptions _options;
    private long _sequence;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-bench-" + Guid.NewGuid().ToString("N"));
    private SqliteStorageEngine? _engine;

    public SqliteEnginePutScenario(LoadOptions options)
    {
        WorkerCount = options.GetInt("writers", 256);
        _valueSize = options.GetInt("value-size", 16);
        _pattern = options.GetString("pattern") ?? "per-writer";
        if (_pattern is not ("sequential" or "per-writer" or "random"))
        {
            throw new ArgumentException($"--pattern must be sequential, per-writer or random, not '{_pattern}'.");
        }

        var fsync = options.GetString("fsync") ?? "off";
        if (fsync is not ("on" or "off"))
        {
            throw new ArgumentException($"--fsync must be on or off, not '{fsync}'.");
        }

        _fsync = fsync == "on";
        var defaults = new SqliteStorageOptions();
        var foldBytes = options.GetInt("fold-mb", (int)(defaults.MemtableFoldBytes >> 20)) * (1L << 20);
        var maxBytes = options.GetInt("max-memtable-mb", (int)(Math.Max(defaults.MaxMemtableBytes, foldBytes) >> 20)) * (1L << 20);
        _options = new SqliteStorageOptions { FsyncEveryCommit = _fsync, MemtableFoldBytes = foldBytes, MaxMemtableBytes = maxBytes };
    }

    public string Description => $"sqlite engine one-put batches, writers={WorkerCount}, keys={_pattern}, fsync={(_fsync ? "every commit" : "off")}, value={_valueSize} B, memtable fold/max={_options.MemtableFoldBytes >> 20}/{_options.MaxMemtableBytes >> 20} MiB";

    public string Unit => "write";

    public int WorkerCount { get; }

    public Task SetupAsync(CancellationToken cancellationToken)
    {
        _engine = SqliteStorageEngine.Open(_directory, _options);
        return Task.CompletedTask;
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var engine = _engine!;
        var value = BenchKeys.Value(_valueSize, worker.Index);
        var random = new Random(worker.Index);
        long sequence = 0;
        while (control.IsRunning)
        {
            var index = _pattern switch
            {
                "sequential" => Interlocked.Increment(ref _sequence),
                "random" => random.NextInt64(),
                _ => ((long)worker.Index << 40) | sequence++,
            };
            var batch = new WriteBatch(1);
            batch.Put(ColumnFamily.Default, BenchKeys.Key(index), value);
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
