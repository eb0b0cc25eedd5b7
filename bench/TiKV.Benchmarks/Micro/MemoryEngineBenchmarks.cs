using BenchmarkDotNet.Attributes;
using TiKV.Benchmarks.Engine;
using TiKV.DevCluster.Storage;

namespace TiKV.Benchmarks.Micro;

/// <summary>Single-threaded point operations on the in-memory engine holding <see cref="Keys"/> keys.</summary>
[Config(typeof(BenchConfig))]
public class MemoryEngineBenchmarks
{
    private const int ReadsPerInvoke = 1024;

    private MemoryStorageEngine _engine = null!;
    private byte[][] _keys = [];
    private int[] _order = [];
    private byte[] _value = [];
    private int _next;

    [Params(100_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _engine = new MemoryStorageEngine();
        _keys = BenchKeys.Keys(Keys);
        _value = BenchKeys.Value(16, 1);
        var batch = new WriteBatch(Keys);
        foreach (var key in _keys)
        {
            batch.Put(ColumnFamily.Default, key, _value);
        }

        await _engine.WriteAsync(batch);
        _order = Enumerable.Range(0, Keys).ToArray();
        new Random(42).Shuffle(_order);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Point reads of present keys in random order.</summary>
    [Benchmark(OperationsPerInvoke = ReadsPerInvoke)]
    public int TryGet()
    {
        var found = 0;
        for (var i = 0; i < ReadsPerInvoke; i++)
        {
            if (_engine.TryGet(ColumnFamily.Default, _keys[_order[_next]], out _))
            {
                found++;
            }

            _next = _next + 1 == _order.Length ? 0 : _next + 1;
        }

        return found;
    }

    /// <summary>A one-put batch overwriting a present key.</summary>
    [Benchmark]
    public ValueTask PutOverwrite()
    {
        var batch = new WriteBatch(1);
        batch.Put(ColumnFamily.Default, _keys[_order[_next]], _value);
        _next = _next + 1 == _order.Length ? 0 : _next + 1;
        return _engine.WriteAsync(batch);
    }
}
