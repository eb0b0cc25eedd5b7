using TiKV.DevCluster.Internal.Regions;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// What raft elections and PD's schedulers do to regions: leader election when a leader's store is gone,
/// leader transfer, leader balance and splits.
/// </summary>
internal sealed partial class ClusterRuntime
{
    /// <summary>
    /// Moves the leadership of <paramref name="regionId"/> to its peer on <paramref name="toStoreId"/> (raft
    /// leader transfer: the epoch is unchanged, the term advances).
    /// </summary>
    /// <exception cref="ArgumentException">No such region, or it has no peer on that store.</exception>
    /// <exception cref="InvalidOperationException">The target store is down.</exception>
    public void TransferLeader(ulong regionId, ulong toStoreId)
    {
        Regions.Update(sorted =>
        {
            var region = sorted.FirstOrDefault(r => r.Id == regionId)
                ?? throw new ArgumentException($"Region {regionId} does not exist.", nameof(regionId));
            if (region.PeerOn(toStoreId) is null)
            {
                throw new ArgumentException($"Region {regionId} has no peer on store {toStoreId}.", nameof(toStoreId));
            }

            if (!IsStoreUp(toStoreId))
            {
                throw new InvalidOperationException($"Store {toStoreId} is down; a leader cannot move there.");
            }

            if (GetStore(toStoreId) is { IsMember: false } leaving)
            {
                throw new InvalidOperationException($"Store {toStoreId} is {leaving.MetaState}; PD moves leaders away from it, not onto it.");
            }

            return region.LeaderStoreId == toStoreId ? [] : [WithLeader(region, toStoreId)];
        });
    }

    /// <summary>
    /// Splits the region holding <paramref name="splitKeys"/>'s first key at every valid key (see
    /// <see cref="RegionSplitter.ValidKeys"/>) and returns the resulting regions left to right; an empty list when no
    /// key was valid. <paramref name="expectedVersion"/>, when given, must match the region's version.
    /// </summary>
    public List<RegionState> Split(ulong regionId, IReadOnlyList<byte[]> splitKeys, ulong? expectedVersion = null)
    {
        List<RegionState> result = [];
        Regions.Update(sorted =>
        {
            var region = sorted.FirstOrDefault(r => r.Id == regionId);
            if (region is null || (expectedVersion is { } version && region.Version != version))
            {
                return [];
            }

            var keys = RegionSplitter.ValidKeys(region, splitKeys);
            if (keys.Count == 0)
            {
                return [];
            }

            result = RegionSplitter.Split(region, keys, Ids);
            return result;
        });

        if (result.Count > 0)
        {
            Log.RegionSplit(Logger, regionId, string.Join(", ", result.Select(r => $"{r.Id} [{Hex(r.StartKey)}, {Hex(r.EndKey)})")));
            BalanceLeaders();
            Scheduler.Wake();
        }

        return result;
    }

    /// <summary>Splits at one key (as PD stores it); returns the region that now starts at that key.</summary>
    public RegionState SplitAt(byte[] splitKey)
    {
        var region = Regions.Locate(splitKey);
        if (region.StartKey.AsSpan().SequenceEqual(splitKey))
        {
            return region;
        }

        Split(region.Id, [splitKey]);
        return Regions.Locate(splitKey);
    }

    /// <summary>
    /// After the election timeout: regions led by <paramref name="downStoreId"/> elect a leader among live peers when a
    /// quorum of peers is alive, and are left without a leader otherwise.
    /// </summary>
    public void ElectLeadersAwayFrom(ulong downStoreId)
    {
        Regions.Update(sorted =>
        {
            var counts = LeaderCounts(sorted);
            var changed = new List<RegionState>();
            foreach (var region in sorted)
            {
                if (region.LeaderStoreId != downStoreId || IsStoreUp(downStoreId))
                {
                    continue;
                }

                var elected = Elect(region, counts);
                changed.Add(elected);
            }

            return changed;
        });
        BalanceLeaders();
        Scheduler.Wake();
    }

    /// <summary>A store came back: leaderless regions elect again and leaders rebalance.</summary>
    public void OnStoreUp()
    {
        Regions.Update(sorted =>
        {
            var counts = LeaderCounts(sorted);
            var changed = new List<RegionState>();
            foreach (var region in sorted)
            {
                if (region.LeaderStoreId == 0)
                {
                    var elected = Elect(region, counts);
                    if (elected.LeaderStoreId != 0)
                    {
                        changed.Add(elected);
                    }
                }
            }

            return changed;
        });
        BalanceLeaders();
        Scheduler.Wake();
    }

    /// <summary>
    /// PD's balance-leader in one pass: while a live store has at least two more leaders than another that holds a
    /// peer of one of its regions, move such a leader over (most loaded source, least loaded target first).
    /// </summary>
    public void BalanceLeaders()
    {
        // balance-leader is one of PD's schedulers: nothing moves while PD is down.
        if (!Options.BalanceLeaders || !IsPdUp)
        {
            return;
        }

        Regions.Update(sorted =>
        {
            var current = sorted.ToDictionary(r => r.Id);
            var changed = new Dictionary<ulong, RegionState>();
            for (var round = 0; round < sorted.Length; round++)
            {
                var counts = LeaderCounts(current.Values);
                if (counts.Count < 2)
                {
                    break;
                }

                // From the store with the most leaders to the one with the fewest that shares a region with it.
                var candidate = counts
                    .OrderByDescending(p => p.Value).ThenBy(p => p.Key)
                    .SelectMany(max => counts
                        .Where(min => max.Value - min.Value >= 2)
                        .OrderBy(p => p.Value).ThenBy(p => p.Key)
                        .Select(min => (Target: min.Key, Region: current.Values
                            .Where(r => r.LeaderStoreId == max.Key && r.PeerOn(min.Key) is not null)
                            .OrderBy(r => r.Id)
                            .FirstOrDefault())))
                    .FirstOrDefault(c => c.Region is not null);
                if (candidate.Region is null)
                {
                    break;
                }

                var moved = WithLeader(candidate.Region, candidate.Target);
                current[moved.Id] = moved;
                changed[moved.Id] = moved;
            }

            return [.. changed.Values];
        });
    }

    private RegionState Elect(RegionState region, Dictionary<ulong, int> counts)
    {
        var live = region.Peers.Where(p => IsStoreUp(p.StoreId)).ToList();
        if (live.Count * 2 <= region.Peers.Length)
        {
            Log.NoQuorum(Logger, region.Id);
            return region.LeaderStoreId == 0 ? region : region with { LeaderStoreId = 0, Term = region.Term + 1 };
        }

        // Peers on a store that is leaving win only when no other live peer can (PD keeps leaders off it).
        var winner = live.MinBy(p => (GetStore(p.StoreId)?.IsMember == true ? 0 : 1, counts.GetValueOrDefault(p.StoreId), p.StoreId));
        if (region.LeaderStoreId != 0 && counts.TryGetValue(region.LeaderStoreId, out var previous))
        {
            counts[region.LeaderStoreId] = previous - 1;
        }

        counts[winner.StoreId] = counts.GetValueOrDefault(winner.StoreId) + 1;
        return WithLeader(region, winner.StoreId);
    }

    private RegionState WithLeader(RegionState region, ulong storeId)
    {
        var moved = region with { LeaderStoreId = storeId, Term = region.Term + 1 };
        Log.LeaderChanged(Logger, region.Id, region.LeaderStoreId, storeId, moved.Term);
        return moved;
    }

    /// <summary>Leaders per live store (live stores with none count 0).</summary>
    private Dictionary<ulong, int> LeaderCounts(IEnumerable<RegionState> regions)
    {
        var counts = Stores.Where(s => s.IsUp && s.IsMember).ToDictionary(s => s.Id, _ => 0);
        foreach (var region in regions)
        {
            if (counts.TryGetValue(region.LeaderStoreId, out var count))
            {
                counts[region.LeaderStoreId] = count + 1;
            }
        }

        return counts;
    }

    private static string Hex(byte[] key) => Convert.ToHexString(key);
}
