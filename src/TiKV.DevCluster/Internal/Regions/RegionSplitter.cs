using System.Collections.Immutable;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Internal.Pd;

namespace TiKV.DevCluster.Internal.Regions;

/// <summary>Computes the regions a batch split produces, the way TiKV applies <c>BatchSplit</c>.</summary>
internal static class RegionSplitter
{
    /// <summary>
    /// TiKV's split observer keeps only keys strictly inside the region (not empty, not equal to the start key),
    /// sorted and without duplicates (<c>is_valid_split_key</c> and the coalescing in <c>on_split</c>).
    /// </summary>
    public static List<byte[]> ValidKeys(RegionState region, IEnumerable<byte[]> keys)
    {
        var result = new List<byte[]>();
        foreach (var key in keys.Order(KeyComparer.Instance))
        {
            if (key.Length == 0 || key.AsSpan().SequenceCompareTo(region.StartKey) <= 0 ||
                (region.EndKey.Length != 0 && key.AsSpan().SequenceCompareTo(region.EndKey) >= 0))
            {
                continue;
            }

            if (result.Count > 0 && result[^1].AsSpan().SequenceEqual(key))
            {
                continue;
            }

            result.Add(key);
        }

        return result;
    }

    /// <summary>
    /// Splits <paramref name="region"/> at <paramref name="splitKeys"/> (valid, sorted, unique). With TiKV's default
    /// <c>right-derive-when-split = true</c> the original region keeps its id for the rightmost part and the new
    /// regions (fresh region and peer ids from PD) take the parts to the left. Every resulting region gets
    /// version = old version + number of new regions; conf_ver is unchanged. Each new region's leader is the peer
    /// on the store that led the original, as after a real split the new peers there campaign first.
    /// </summary>
    public static List<RegionState> Split(RegionState region, IReadOnlyList<byte[]> splitKeys, IdAllocator ids)
    {
        var version = region.Version + (ulong)splitKeys.Count;
        var result = new List<RegionState>(splitKeys.Count + 1);
        var start = region.StartKey;
        foreach (var key in splitKeys)
        {
            var peers = region.Peers.Select(p => new RegionPeer(ids.Next(), p.StoreId)).ToImmutableArray();
            result.Add(region with
            {
                Id = ids.Next(),
                StartKey = start,
                EndKey = key,
                Version = version,
                Peers = peers,
                Term = InitialTerm,
            });
            start = key;
        }

        result.Add(region with { StartKey = start, Version = version });
        return result;
    }

    /// <summary>
    /// The term of a freshly created region after its first election: TiKV initialises split regions at
    /// <c>RAFT_INIT_LOG_TERM</c> (5) and the first campaign makes it 6.
    /// </summary>
    public const ulong InitialTerm = 6;
}
