using Google.Protobuf;
using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Load;
using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Benchmarks.Mvcc;

/// <summary>
/// KvGet at the latest timestamp of keys that each carry <c>versions</c> committed versions, from
/// <c>threads</c> readers, keys in random order, over the in-memory engine.
/// </summary>
internal sealed class TxnGetScenario : ILoadScenario
{
    private const int ReportEvery = 256;

    private readonly int _keyCount;
    private readonly int _versions;
    private readonly Timestamps _tso = new();
    private readonly MemoryStorageEngine _storage = new();
    private TxnEngine? _engine;
    private ByteString[] _keys = [];

    public TxnGetScenario(LoadOptions options)
    {
        _keyCount = options.GetInt("keys", 10_000);
        _versions = options.GetInt("versions", 1);
        WorkerCount = options.GetInt("threads", Environment.ProcessorCount);
    }

    public string Description => $"txn KvGet latest, versions/key={_versions}, keys={_keyCount}, threads={WorkerCount}";

    public string Unit => "read";

    public int WorkerCount { get; }

    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _engine = new TxnEngine(_storage, TimeProvider.System);
        _keys = await LoadVersionsAsync(_engine, _tso, _keyCount, _versions);
    }

    /// <summary>Commits <paramref name="versions"/> versions of each of <paramref name="keyCount"/> keys.</summary>
    internal static async Task<ByteString[]> LoadVersionsAsync(TxnEngine engine, Timestamps tso, int keyCount, int versions)
    {
        var keys = new ByteString[keyCount];
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = ByteString.CopyFrom(BenchKeys.Key(i));
        }

        for (var v = 0; v < versions; v++)
        {
            var value = ByteString.CopyFrom(BenchKeys.Value(16, v));
            await Parallel.ForEachAsync(keys, async (key, _) => await TxnRequests.CommitOneAsync(engine, tso, key, value));
        }

        return keys;
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var engine = _engine!;
        var random = new Random(worker.Index);
        // One snapshot timestamp per reader: a shared counter would measure contention on it, not the read.
        var request = new GetRequest { Context = new Context(), Version = _tso.Next() };
        while (control.IsRunning)
        {
            for (var i = 0; i < ReportEvery; i++)
            {
                request.Key = _keys[random.Next(_keys.Length)];
                var response = await engine.GetAsync(request);
                if (response.NotFound || response.Error is not null)
                {
                    throw new InvalidOperationException($"KvGet failed: {response}");
                }
            }

            control.Count(worker, ReportEvery);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _engine?.Dispose();
        await _storage.DisposeAsync();
    }
}
