using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Locate.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Benchmarks.Micro;

/// <summary>
/// Filling an empty region cache with <see cref="Regions"/> regions, one insert per region as PD answers arrive:
/// in key order (a scan, or ScanRegions warming the cache) or in random order (random point reads warming it).
/// The figure is per insert; each insert publishes a new directory, so it grows with the number of blocks.
/// </summary>
[Config(typeof(BenchConfig))]
public class RegionCacheInsertBenchmarks
{
    // OperationsPerInvoke must be a constant: the one region count this benchmark runs.
    private const int RegionCount = 100_000;

    private Region[] _regions = [];
    private int[] _order = [];

    [Params(RegionCount)]
    public int Regions { get; set; }

    [Params("random", "sequential")]
    public string Order { get; set; } = "random";

    [GlobalSetup]
    public void Setup()
    {
        _regions = RegionCacheFixture.ContiguousRegions(Regions);
        _order = RegionCacheFixture.VisitOrder(Regions, Order);
    }

    [Benchmark(OperationsPerInvoke = RegionCount)]
    public int InsertAll()
    {
        using var cache = new RegionCache(new RegionCacheNoPd(), TimeProvider.System, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), NullLogger.Instance);
        foreach (var i in _order)
        {
            cache.Insert(_regions[i], _regions[i].Peers[0]);
        }

        return cache.Count;
    }
}
