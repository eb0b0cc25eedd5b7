using TiKV.Benchmarks.Load;
using TiKV.DevCluster.Storage;

namespace TiKV.Benchmarks.Engine;

/// <summary>Point reads of present keys on the in-memory engine from <c>threads</c> threads, keys in random order.</summary>
internal sealed class MemoryEngineGetScenario : ILoadScenario
{
    private const int ReportEvery = 1024;

    private readonly int _keyCount;
    private readonly MemoryStorageEngine _engine = new();
    private byte[][] _keys = [];

    public MemoryEngineGetScenario(LoadOptions options)
    {
        _keyCount = options.GetInt("keys", 100_000);
        WorkerCount = options.GetInt("threads", Environment.ProcessorCount);
    }

    public string Description => $"memory engine TryGet keys={_keyCount} threads={WorkerCount}";

    public string Unit => "read";

    public int WorkerCount { get; }

    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _keys = BenchKeys.Keys(_keyCount);
        var batch = new WriteBatch(1024);
        for (var i = 0; i < _keys.Length; i++)
        {
            batch.Put(ColumnFamily.Default, _keys[i], BenchKeys.Value(16, i));
            if (batch.Count == 1024)
            {
                await _engine.WriteAsync(batch, cancellationToken);
                batch = new WriteBatch(1024);
            }
        }

        await _engine.WriteAsync(batch, cancellationToken);
    }

    public Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var random = new Random(worker.Index);
        var order = new int[_keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        var position = 0;
        long found = 0;
        while (control.IsRunning)
        {
            for (var i = 0; i < ReportEvery; i++)
            {
                if (_engine.TryGet(ColumnFamily.Default, _keys[order[position]], out var value))
                {
                    found += value.Length;
                }

                position = position + 1 == order.Length ? 0 : position + 1;
            }

            control.Count(worker, ReportEvery);
        }

        return found == 0 ? throw new InvalidOperationException("No key was found: the preload failed.") : Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
