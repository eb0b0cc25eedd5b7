using TiKV.Benchmarks.Client;
using TiKV.Benchmarks.Cluster;
using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Grpc;
using TiKV.Benchmarks.Mvcc;

namespace TiKV.Benchmarks.Load;

/// <summary>The named modes of <c>load &lt;name&gt;</c>, and <c>load suite</c> which runs the documented set in one process.</summary>
public static class LoadScenarios
{
    private static readonly Dictionary<string, Func<LoadOptions, ILoadScenario>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["grpc-unary"] = o => new GrpcUnaryScenario(o),
        ["grpc-bidi"] = o => new GrpcBidiScenario(o),
        ["engine-memory-get"] = o => new MemoryEngineGetScenario(o),
        ["engine-sqlite-put"] = o => new SqliteEnginePutScenario(o),
        ["batch-rawget-null"] = o => new BatchRawGetScenario(BatchTarget.Null, o),
        ["batch-rawget-devcluster"] = o => new BatchRawGetScenario(BatchTarget.DevCluster, o),
        ["txn-commit"] = o => new TxnCommitScenario(o),
        ["txn-get"] = o => new TxnGetScenario(o),
        ["client-raw"] = o => new ClientRawScenario(o),
    };

    private static readonly Dictionary<string, Func<LoadOptions, Task<IReadOnlyList<string>>>> Timers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["startup"] = StartupTimer.DevClusterAsync,
        ["playground-ready"] = StartupTimer.PlaygroundAsync,
    };

    /// <summary>What <c>load suite</c> runs, per area, in this order (area, scenario, options).</summary>
    private static readonly (string Area, string Name, string[] Args)[] Suite =
    [
        ("grpc", "grpc-unary", ["--callers", "1"]),
        ("grpc", "grpc-unary", ["--callers", "32"]),
        ("grpc", "grpc-bidi", ["--batch", "1", "--inflight", "1024"]),
        ("grpc", "grpc-bidi", ["--batch", "64", "--inflight", "1024"]),
        ("grpc", "grpc-bidi", ["--batch", "256", "--inflight", "1024"]),
        ("engine", "engine-memory-get", []),
        ("engine", "engine-sqlite-put", ["--writers", "256", "--pattern", "sequential"]),
        ("engine", "engine-sqlite-put", ["--writers", "256", "--pattern", "per-writer"]),
        ("engine", "engine-sqlite-put", ["--writers", "256", "--pattern", "random"]),
        ("engine", "engine-sqlite-put", ["--writers", "256", "--pattern", "sequential", "--fsync", "on"]),
        ("engine", "engine-sqlite-put", ["--writers", "256", "--pattern", "random", "--fsync", "on"]),
        ("engine", "batch-rawget-null", ["--batch", "64", "--inflight", "1024"]),
        ("engine", "batch-rawget-devcluster", ["--batch", "64", "--inflight", "1024"]),
        ("mvcc", "txn-commit", ["--writers", "64"]),
        ("mvcc", "txn-get", ["--versions", "1"]),
        ("mvcc", "txn-get", ["--versions", "10"]),
        ("mvcc", "txn-get", ["--versions", "1", "--keys", "100000"]),
        ("client", "client-raw", ["--op", "get", "--batching", "on"]),
        ("client", "client-raw", ["--op", "get", "--batching", "off"]),
        ("client", "client-raw", ["--op", "put", "--batching", "on"]),
        ("client", "client-raw", ["--op", "put", "--batching", "off"]),
        ("client", "client-raw", ["--op", "get", "--batching", "on", "--callers", "256"]),
        ("client", "client-raw", ["--op", "get", "--batching", "off", "--callers", "256"]),
        ("client", "batch-rawget-devcluster", ["--batch", "32", "--inflight", "64", "--streams", "4"]),
    ];

    public static IEnumerable<string> Names =>
        Factories.Keys.Concat(Timers.Keys).Append("suite").Order(StringComparer.Ordinal);

    public static async Task RunAsync(string name, LoadOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (name == "suite")
        {
            await RunSuiteAsync(options, output);
        }
        else if (Timers.TryGetValue(name, out var timer))
        {
            foreach (var line in await timer(options))
            {
                await output.WriteLineAsync(line);
            }
        }
        else if (Factories.TryGetValue(name, out var factory))
        {
            await output.WriteLineAsync((await LoadRunner.RunAsync(factory(options), options.Warmup, options.Duration)).ToString());
        }
        else
        {
            throw new ArgumentException($"Unknown load scenario '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }
    }

    /// <summary>
    /// Every documented scenario in one process, one after the other, so ratios between them come from one
    /// run on one machine state. <c>--area grpc|engine|mvcc|client|startup</c> restricts it.
    /// </summary>
    private static async Task RunSuiteAsync(LoadOptions options, TextWriter output)
    {
        var area = options.GetString("area");
        var results = new List<(string Area, LoadResult Result)>();

        // Start-up first, while nothing is JIT-compiled yet: the first in-process start is then a cold one.
        var startupLines = new List<string>();
        if (area is null or "startup")
        {
            startupLines.AddRange(await StartupTimer.DevClusterAsync(new LoadOptions([])));
            try
            {
                startupLines.AddRange(await StartupTimer.PlaygroundAsync(new LoadOptions([])));
            }
            catch (FileNotFoundException e)
            {
                startupLines.Add("playground-ready skipped: " + e.Message);
            }

            foreach (var line in startupLines)
            {
                await output.WriteLineAsync(line);
            }
        }

        foreach (var (scenarioArea, name, args) in Suite)
        {
            if (area is not null && area != scenarioArea)
            {
                continue;
            }

            var scenarioOptions = new LoadOptions(args.Concat(["--seconds", options.Duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--warmup", options.Warmup.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            var result = await LoadRunner.RunAsync(Factories[name](scenarioOptions), scenarioOptions.Warmup, scenarioOptions.Duration);
            await output.WriteLineAsync(result.ToString());
            results.Add((scenarioArea, result));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync(LoadResult.MarkdownHeader);
        foreach (var (_, result) in results)
        {
            await output.WriteLineAsync(result.ToMarkdownRow());
        }

        foreach (var line in startupLines)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(line);
        }
    }
}
