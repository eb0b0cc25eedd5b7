using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Benchmarks.Micro;

/// <summary>
/// Region cache hits: the lookup every request makes before it is sent (<c>LocateKeyAsync</c> on a cached,
/// valid region), with <see cref="Regions"/> contiguous regions cached. <see cref="Order"/> "random" visits one
/// key per region in a shuffled order, so consecutive lookups share nothing and the search runs from memory
/// (the worst case); "sequential" visits them in key order, as a scan or a sorted batch does.
/// </summary>
[Config(typeof(BenchConfig))]
public class RegionCacheBenchmarks
{
    private const int LookupsPerInvoke = 1024;

    private RegionCache _cache = null!;
    private Backoffer _backoffer = null!;
    private byte[][] _keys = [];
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
        for (var i = 0; i < Regions; i++)
        {
            var region = new Region
            {
                Id = (ulong)i + 1,
                StartKey = i == 0 ? ByteString.Empty : ByteString.CopyFrom(Boundary(i)),
                EndKey = i == Regions - 1 ? ByteString.Empty : ByteString.CopyFrom(Boundary(i + 1)),
                RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 },
            };
            region.Peers.Add(new Peer { Id = (ulong)i + 1_000_000, StoreId = 1 });
            _cache.Insert(region, region.Peers[0]);
        }

        // One key inside every region (the boundary plus a suffix).
        _keys = Enumerable.Range(0, Regions).Select(i => Encoding.ASCII.GetBytes($"t{i:D8}-key")).ToArray();
        if (Order == "random")
        {
            new Random(42).Shuffle(_keys);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    [Benchmark(OperationsPerInvoke = LookupsPerInvoke)]
    public ulong LocateKey()
    {
        ulong sum = 0;
        for (var i = 0; i < LookupsPerInvoke; i++)
        {
            var key = _keys[_next];
            _next = _next + 1 == _keys.Length ? 0 : _next + 1;
            var located = _cache.LocateKeyAsync(key, _backoffer, CancellationToken.None);
            if (!located.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("A cached region was not found synchronously.");
            }

            sum += located.Result.Id;
        }

        return sum;
    }

    private static byte[] Boundary(int i) => Encoding.ASCII.GetBytes("t" + i.ToString("D8", CultureInfo.InvariantCulture));
}
