using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Retry.Internal;

namespace TiKV.Benchmarks.Micro;

/// <summary>
/// Region cache hits: the lookup every request makes before it is sent (<c>LocateKeyAsync</c> on a cached,
/// valid region), with <see cref="Regions"/> contiguous regions cached. <see cref="Order"/> "random" visits one
/// key per region in a shuffled order, so consecutive lookups share nothing and the search runs from memory
/// (the worst case); "sequential" visits them in key order, as a scan or a sorted batch does. Each key is
/// formatted into one reused buffer just before its lookup, as a caller's key is fresh in the CPU cache when it
/// asks for its region: the figure is the cache's own, not a miss on a benchmark-owned key array.
/// </summary>
[Config(typeof(BenchConfig))]
public class RegionCacheBenchmarks
{
    private const int LookupsPerInvoke = 1024;

    private RegionCache _cache = null!;
    private Backoffer _backoffer = null!;
    private int[] _order = [];
    private int _next;

    [Params(100_000)]
    public int Regions { get; set; }

    [Params("random", "sequential")]
    public string Order { get; set; } = "random";

    [GlobalSetup]
    public void Setup()
    {
        _cache = new RegionCache(new RegionCacheNoPd(), TimeProvider.System, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), NullLogger.Instance);
        _backoffer = new Backoffer("bench", TimeSpan.FromSeconds(1), TimeProvider.System);
        foreach (var region in RegionCacheFixture.ContiguousRegions(Regions))
        {
            _cache.Insert(region, region.Peers[0]);
        }

        // One key inside every region (the boundary plus a suffix), visited in this order of region numbers.
        _order = RegionCacheFixture.VisitOrder(Regions, Order);
    }

    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    [Benchmark(OperationsPerInvoke = LookupsPerInvoke)]
    public object? LocateKey()
    {
        CachedRegion? last = null;
        var key = new byte[KeyLength];
        for (var i = 0; i < LookupsPerInvoke; i++)
        {
            last = Locate(key);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = LookupsPerInvoke)]
    public ulong LocateKeyThenReadRegion()
    {
        ulong sum = 0;
        var key = new byte[KeyLength];
        for (var i = 0; i < LookupsPerInvoke; i++)
        {
            sum += Locate(key).Id;
        }

        return sum;
    }

    private CachedRegion Locate(byte[] key)
    {
        FormatKey(_order[_next], key);
        _next = _next + 1 == _order.Length ? 0 : _next + 1;
        var located = _cache.LocateKeyAsync(key, _backoffer, CancellationToken.None);
        if (!located.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("A cached region was not found synchronously.");
        }

        return located.Result;
    }

    private const int KeyLength = 13;

    /// <summary>Writes <c>t{i:D8}-key</c> into <paramref name="key"/>.</summary>
    private static void FormatKey(int i, byte[] key)
    {
        key[0] = (byte)'t';
        for (var digit = 8; digit >= 1; digit--)
        {
            key[digit] = (byte)('0' + (i % 10));
            i /= 10;
        }

        "-key"u8.CopyTo(key.AsSpan(9));
    }
}
