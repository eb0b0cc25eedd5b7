using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Mvcc;
using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Benchmarks.Micro;

/// <summary>
/// Single-threaded <see cref="TxnEngine"/> on the in-memory engine: KvGet at the latest timestamp of keys
/// carrying <see cref="Versions"/> committed versions, and one single-key prewrite + commit on a new key.
/// </summary>
[Config(typeof(BenchConfig))]
public class MvccBenchmarks
{
    private const int ReadsPerInvoke = 256;
    private const int KeyCount = 10_000;

    private readonly Timestamps _tso = new();
    private MemoryStorageEngine _storage = null!;
    private TxnEngine _engine = null!;
    private ByteString[] _keys = [];
    private GetRequest _get = null!;
    private ByteString _value = ByteString.Empty;
    private Random _random = null!;
    private long _newKey = 1L << 40;

    [Params(1, 10)]
    public int Versions { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _storage = new MemoryStorageEngine();
        _engine = new TxnEngine(_storage, TimeProvider.System);
        _keys = await TxnGetScenario.LoadVersionsAsync(_engine, _tso, KeyCount, Versions);
        _get = new GetRequest { Context = new Context(), Version = _tso.Next() };
        _value = ByteString.CopyFrom(BenchKeys.Value(16, 3));
        _random = new Random(42);
    }

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        _engine.Dispose();
        await _storage.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvoke)]
    public async Task<int> GetLatest()
    {
        var found = 0;
        for (var i = 0; i < ReadsPerInvoke; i++)
        {
            _get.Key = _keys[_random.Next(_keys.Length)];
            var response = await _engine.GetAsync(_get);
            found += response.NotFound ? 0 : 1;
        }

        return found;
    }

    [Benchmark]
    public ValueTask PrewriteCommitNewKey() =>
        TxnRequests.CommitOneAsync(_engine, _tso, ByteString.CopyFrom(BenchKeys.Key(_newKey++)), _value);
}
