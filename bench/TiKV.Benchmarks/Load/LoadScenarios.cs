using TiKV.Benchmarks.Engine;
using TiKV.Benchmarks.Grpc;

namespace TiKV.Benchmarks.Load;

/// <summary>The named load modes of <c>load &lt;name&gt;</c>.</summary>
public static class LoadScenarios
{
    private static readonly Dictionary<string, Func<LoadOptions, ILoadScenario>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["engine-memory-get"] = o => new MemoryEngineGetScenario(o),
        ["engine-sqlite-put"] = o => new SqliteEnginePutScenario(o),
        ["grpc-unary"] = o => new GrpcUnaryScenario(o),
        ["grpc-bidi"] = o => new GrpcBidiScenario(o),
    };

    public static IEnumerable<string> Names => Factories.Keys.Order(StringComparer.Ordinal);

    public static async Task<IReadOnlyList<LoadResult>> RunAsync(string name, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Factories.TryGetValue(name, out var factory))
        {
            throw new ArgumentException($"Unknown load scenario '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }

        var result = await LoadRunner.RunAsync(factory(options), options.Warmup, options.Duration);
        return [result];
    }
}
