using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Tests.Fakes;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Tests.Unit;

/// <summary>
/// The region cache's prefix search against a plain reference: start keys that differ only past their first
/// 16 bytes, keys shorter than 16 bytes, zero bytes at the end of keys, inserts in random order and splits.
/// </summary>
public class RegionCacheSearchTests
{
    private static readonly byte[] LongPrefix = [.. "0123456789abcdef"u8, .. "ghij"u8];

    private static RegionCache NewCache() =>
        new(new FakePdClient(), TimeProvider.System, TimeSpan.FromMinutes(10), TimeSpan.Zero, NullLogger.Instance);

    private static Region Region(ulong id, byte[] start, byte[] end) => new()
    {
        Id = id,
        StartKey = ByteString.CopyFrom(start),
        EndKey = ByteString.CopyFrom(end),
        RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 },
        Peers = { new Peer { Id = id * 10, StoreId = 1 } },
    };

    /// <summary>Boundaries mixing short keys, keys ending in zero bytes and keys sharing 20 leading bytes.</summary>
    private static List<byte[]> Boundaries()
    {
        var set = new SortedSet<byte[]>(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
        for (var i = 1; i < 40; i++)
        {
            set.Add([.. LongPrefix, (byte)(i * 5)]);
            set.Add([.. LongPrefix, (byte)(i * 5), 0]);
            set.Add([(byte)'a', (byte)i]);
            set.Add([(byte)'a', (byte)i, 0, 0]);
        }

        set.Add([.. LongPrefix[..16]]);
        set.Add([.. LongPrefix[..15]]);
        return [.. set];
    }

    [Fact]
    public void Lookups_match_a_linear_search_for_start_keys_sharing_long_prefixes()
    {
        var boundaries = Boundaries();
        using var cache = NewCache();
        var order = Enumerable.Range(0, boundaries.Count + 1).ToArray();
        new Random(7).Shuffle(order);
        foreach (var i in order)
        {
            var start = i == 0 ? [] : boundaries[i - 1];
            var end = i == boundaries.Count ? [] : boundaries[i];
            cache.Insert(Region((ulong)i + 1, start, end), null);
        }

        Assert.Equal(boundaries.Count + 1, cache.Count);
        var probes = boundaries
            .SelectMany(b => new[] { b, [.. b, 0], [.. b, 255], b[..^1], [.. b[..^1], (byte)(b[^1] - 1)] })
            .Append([])
            .ToList();
        foreach (var probe in probes)
        {
            var expected = ExpectedRegion(boundaries, probe);
            Assert.Equal(expected, cache.TryLocateKey(probe)?.Id);
            if (probe.Length > 0)
            {
                Assert.Equal(ExpectedRegionByEnd(boundaries, probe), cache.TryLocateEndKey(probe)?.Id);
            }
        }
    }

    [Fact]
    public void A_split_inside_a_shared_prefix_replaces_exactly_the_old_region()
    {
        var boundaries = Boundaries();
        using var cache = NewCache();
        for (var i = 0; i <= boundaries.Count; i++)
        {
            cache.Insert(Region((ulong)i + 1, i == 0 ? [] : boundaries[i - 1], i == boundaries.Count ? [] : boundaries[i]), null);
        }

        // A boundary "prefix, n, 0": the next one is "prefix, n + 5", so "prefix, n, 0, 128" lies between them.
        var at = boundaries.FindIndex(b => b.Length == LongPrefix.Length + 2);
        byte[] middle = [.. boundaries[at], 128];
        cache.Insert(Region(1000, boundaries[at], middle), null);
        cache.Insert(Region(1001, middle, boundaries[at + 1]), null);

        Assert.Equal(boundaries.Count + 2, cache.Count);
        Assert.Equal(1000UL, cache.TryLocateKey(boundaries[at])?.Id);
        Assert.Equal(1001UL, cache.TryLocateKey(middle)?.Id);
        Assert.Equal((ulong)at + 3, cache.TryLocateKey(boundaries[at + 1])?.Id);
        Assert.Equal((ulong)at + 1, cache.TryLocateKey(boundaries[at].AsSpan(0, boundaries[at].Length - 1))?.Id);
    }

    /// <summary>Region i + 1 holds [boundaries[i - 1], boundaries[i]); region 1 starts at the empty key.</summary>
    private static ulong ExpectedRegion(List<byte[]> boundaries, byte[] key)
    {
        var index = boundaries.Count(b => b.AsSpan().SequenceCompareTo(key) <= 0);
        return (ulong)index + 1;
    }

    private static ulong ExpectedRegionByEnd(List<byte[]> boundaries, byte[] key)
    {
        var index = boundaries.Count(b => b.AsSpan().SequenceCompareTo(key) < 0);
        return (ulong)index + 1;
    }
}
