using System.Globalization;
using System.Text;
using Google.Protobuf;
using TiKV.Proto.Metapb;

namespace TiKV.Benchmarks.Micro;

/// <summary>The regions and visit orders the region cache benchmarks share.</summary>
internal static class RegionCacheFixture
{
    /// <summary><paramref name="count"/> contiguous regions covering the whole key space, split at <c>t{i:D8}</c>.</summary>
    public static Region[] ContiguousRegions(int count)
    {
        var regions = new Region[count];
        for (var i = 0; i < count; i++)
        {
            var region = new Region
            {
                Id = (ulong)i + 1,
                StartKey = i == 0 ? ByteString.Empty : ByteString.CopyFrom(Boundary(i)),
                EndKey = i == count - 1 ? ByteString.Empty : ByteString.CopyFrom(Boundary(i + 1)),
                RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 1 },
            };
            region.Peers.Add(new Peer { Id = (ulong)i + 1_000_000, StoreId = 1 });
            regions[i] = region;
        }

        return regions;
    }

    /// <summary>Region numbers 0..count-1, shuffled (fixed seed) for "random", in key order for "sequential".</summary>
    public static int[] VisitOrder(int count, string order)
    {
        var visits = Enumerable.Range(0, count).ToArray();
        if (order == "random")
        {
            new Random(42).Shuffle(visits);
        }

        return visits;
    }

    private static byte[] Boundary(int i) => Encoding.ASCII.GetBytes("t" + i.ToString("D8", CultureInfo.InvariantCulture));
}
