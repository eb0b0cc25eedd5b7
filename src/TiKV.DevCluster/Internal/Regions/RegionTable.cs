using System.Collections.Immutable;
using TiKV.DevCluster.Internal.Keys;

namespace TiKV.DevCluster.Internal.Regions;

/// <summary>
/// All regions of the cluster, sorted by start key and covering the whole key space without gaps. Readers use an
/// immutable snapshot without locking; changes (split, leader change) take a lock and publish a new snapshot.
/// </summary>
internal sealed class RegionTable
{
    /// <summary>TiKV caps the regions attached to an EpochNotMatch error (<c>MAX_REGIONS_IN_ERROR</c>).</summary>
    private const int MaxRegionsInError = 10;

    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot;

    /// <summary>Creates a table holding <paramref name="regions"/>, which must tile the key space.</summary>
    public RegionTable(IEnumerable<RegionState> regions)
    {
        _snapshot = Snapshot.Create(regions);
    }

    /// <summary>Raised after any change, with the regions that changed (for persistence and metrics).</summary>
    public event Action<IReadOnlyList<RegionState>>? Changed;

    /// <summary>Number of regions.</summary>
    public int Count => _snapshot.Sorted.Length;

    /// <summary>All regions in key order.</summary>
    public ImmutableArray<RegionState> All => _snapshot.Sorted;

    /// <summary>The region with <paramref name="id"/>, or null.</summary>
    public RegionState? GetById(ulong id) => _snapshot.ById.GetValueOrDefault(id);

    /// <summary>The region containing <paramref name="key"/> (PD's <c>GetRegionByKey</c>).</summary>
    public RegionState Locate(ReadOnlySpan<byte> key)
    {
        var sorted = _snapshot.Sorted;
        return sorted[IndexOf(sorted, key)];
    }

    /// <summary>The region before the one containing <paramref name="key"/>, or null for the first region (PD's <c>GetPrevRegionByKey</c>).</summary>
    public RegionState? LocatePrevious(ReadOnlySpan<byte> key)
    {
        var sorted = _snapshot.Sorted;
        var index = IndexOf(sorted, key);
        return index == 0 ? null : sorted[index - 1];
    }

    /// <summary>
    /// The regions overlapping [<paramref name="start"/>, <paramref name="end"/>) in key order, at most
    /// <paramref name="limit"/> of them when it is positive (PD's <c>ScanRegions</c>).
    /// </summary>
    public List<RegionState> Scan(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit)
    {
        var sorted = _snapshot.Sorted;
        var result = new List<RegionState>();
        for (var index = IndexOf(sorted, start); index < sorted.Length; index++)
        {
            var region = sorted[index];
            if (!end.IsEmpty && region.StartKey.AsSpan().SequenceCompareTo(end) >= 0)
            {
                break;
            }

            result.Add(region);
            if (limit > 0 && result.Count >= limit)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>
    /// The regions TiKV attaches to an EpochNotMatch error: the current region and, when the requester's version
    /// is older, the regions split off it. TiKV splits with <c>right-derive-when-split</c>, so the siblings lie to
    /// the left; it walks left while versions say more splits happened (<c>collect_sibling_region</c>).
    /// </summary>
    public List<RegionState> CollectEpochNotMatchRegions(RegionState current, ulong requestedVersion)
    {
        var result = new List<RegionState> { current };
        var maxVersion = current.Version;
        if (requestedVersion >= maxVersion)
        {
            return result;
        }

        var sorted = _snapshot.Sorted;
        var index = IndexOfId(sorted, current);
        if (index < 0)
        {
            return result;
        }

        var remaining = maxVersion - requestedVersion;
        for (var i = 0; i < MaxRegionsInError && index - 1 - i >= 0; i++)
        {
            var sibling = sorted[index - 1 - i];
            remaining--;
            if (sibling.Version >= maxVersion)
            {
                remaining += sibling.Version - maxVersion;
                maxVersion = sibling.Version;
            }

            result.Add(sibling);
            if (remaining == 0)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>
    /// Replaces regions atomically through <paramref name="update"/>, which receives the current snapshot's
    /// regions in key order and returns the changed regions (by id; new ids are added). The result must still
    /// tile the key space.
    /// </summary>
    public IReadOnlyList<RegionState> Update(Func<ImmutableArray<RegionState>, IReadOnlyList<RegionState>> update)
    {
        IReadOnlyList<RegionState> changed;
        lock (_gate)
        {
            var current = _snapshot;
            changed = update(current.Sorted);
            if (changed.Count == 0)
            {
                return changed;
            }

            var byId = new Dictionary<ulong, RegionState>(current.ById);
            foreach (var region in changed)
            {
                byId[region.Id] = region;
            }

            _snapshot = Snapshot.Create(byId.Values);
        }

        Changed?.Invoke(changed);
        return changed;
    }

    private static int IndexOf(ImmutableArray<RegionState> sorted, ReadOnlySpan<byte> key)
    {
        // The last region whose start key is <= key; the table tiles the key space, so it contains the key.
        int low = 0, high = sorted.Length - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (sorted[mid].StartKey.AsSpan().SequenceCompareTo(key) <= 0)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private static int IndexOfId(ImmutableArray<RegionState> sorted, RegionState region)
    {
        var index = IndexOf(sorted, region.StartKey);
        return sorted[index].Id == region.Id ? index : -1;
    }

    /// <summary>One published state: never changed after publication, so plain collections are safe to read concurrently.</summary>
    private sealed record Snapshot(ImmutableArray<RegionState> Sorted, Dictionary<ulong, RegionState> ById)
    {
        public static Snapshot Create(IEnumerable<RegionState> regions)
        {
            var sorted = regions.OrderBy(r => r.StartKey, KeyComparer.Instance).ToImmutableArray();
            if (sorted.Length == 0 || sorted[0].StartKey.Length != 0 || sorted[^1].EndKey.Length != 0)
            {
                throw new InvalidOperationException("Regions must cover the whole key space.");
            }

            for (var i = 1; i < sorted.Length; i++)
            {
                if (!sorted[i - 1].EndKey.AsSpan().SequenceEqual(sorted[i].StartKey))
                {
                    throw new InvalidOperationException($"Regions {sorted[i - 1].Id} and {sorted[i].Id} are not adjacent.");
                }
            }

            return new Snapshot(sorted, sorted.ToDictionary(r => r.Id));
        }
    }
}
