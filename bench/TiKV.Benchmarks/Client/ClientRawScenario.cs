using System.Diagnostics;
using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Load;
using TiKV.Client;

namespace TiKV.Benchmarks.Client;

/// <summary>
/// Client-level raw get or put throughput: <c>callers</c> concurrent callers, each one request at a time,
/// through <see cref="TiKVClient"/> against an in-process default DevCluster (3 stores), with BatchCommands
/// on (<c>--batching on</c>, the default) or off (every request a unary call).
/// </summary>
internal sealed class ClientRawScenario : ILoadScenario
{
    private readonly string _op;
    private readonly bool _batching;
    private readonly int _keyCount;
    private DevCluster.DevCluster? _cluster;
    private TiKVClient? _client;
    private byte[][] _keys = [];
    private byte[] _value = [];

    public ClientRawScenario(LoadOptions options)
    {
        _op = options.GetString("op") ?? "get";
        if (_op is not ("get" or "put"))
        {
            throw new ArgumentException($"--op must be get or put, not '{_op}'.");
        }

        var batching = options.GetString("batching") ?? "on";
        if (batching is not ("on" or "off"))
        {
            throw new ArgumentException($"--batching must be on or off, not '{batching}'.");
        }

        _batching = batching == "on";
        _keyCount = options.GetInt("keys", 10_000);
        WorkerCount = options.GetInt("callers", 64);
    }

    public string Description => $"client raw {_op}, batching={(_batching ? "on" : "off")}, callers={WorkerCount}, DevCluster 3 stores";

    public string Unit => _op;

    public int WorkerCount { get; }

    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _cluster = await DevCluster.DevCluster.StartAsync(new DevCluster.DevClusterOptions(), cancellationToken);
        var options = new TiKVClientOptions { EnableBatchCommands = _batching };
        options.PdEndpoints.Add(_cluster.PdAddress);
        _client = await TiKVClient.ConnectAsync(options, cancellationToken: cancellationToken);
        _keys = BenchKeys.Keys(_keyCount);
        _value = BenchKeys.Value(16, 7);
        foreach (var chunk in _keys.Chunk(512))
        {
            await _client.Raw.BatchPutAsync(chunk.Select(k => new KvPair(k, _value)), cancellationToken: cancellationToken);
        }
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var raw = _client!.Raw;
        var random = new Random(worker.Index);
        var get = _op == "get";
        while (control.IsRunning)
        {
            var key = _keys[random.Next(_keys.Length)];
            var start = Stopwatch.GetTimestamp();
            if (get)
            {
                if (await raw.GetAsync(key) is null)
                {
                    throw new InvalidOperationException("A preloaded key was not found.");
                }
            }
            else
            {
                await raw.PutAsync(key, _value);
            }

            control.Record(worker, start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
