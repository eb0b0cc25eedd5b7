using TiKV.DevCluster.Internal.Regions;
using TiKV.DevCluster.Internal.Store;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// Where peers live: PD's replica checker moves peers off Offline stores, and its balance-region scheduler moves
/// peers from stores holding many regions to stores holding few. Both use one "replace peer" operator per move.
/// </summary>
internal sealed partial class ClusterRuntime
{
    /// <summary>
    /// conf_ver advance of one replaced peer. PD (with joint consensus, its default) replaces a peer through
    /// AddLearner (+1), EnterJoint promoting the learner and demoting the old voter (+2), LeaveJoint (+2) and
    /// RemovePeer (+1); TiKV bumps conf_ver by the number of peers each step changes.
    /// </summary>
    public const ulong ReplacePeerConfVerDelta = 6;

    /// <summary>
    /// Makes one scheduling move, if there is one to make: first a peer off an Offline store, then (when
    /// <paramref name="balanceRegions"/> is set) a peer from the fullest to the emptiest store. Returns whether a
    /// peer moved. Nothing moves while PD is down.
    /// </summary>
    public bool MoveOnePeer(bool balanceRegions)
    {
        if (!IsPdUp)
        {
            return false;
        }

        var moved = Regions.Update(sorted =>
        {
            var targets = Stores.Where(s => s.IsMember && s.IsUp).ToList();
            var peerCounts = PeerCounts(sorted);
            foreach (var offline in Stores.Where(s => s.MetaState == TiKV.Proto.Metapb.StoreState.Offline))
            {
                foreach (var region in sorted)
                {
                    if (region.PeerOn(offline.Id) is not null && TryReplace(region, offline.Id, targets, peerCounts, sorted) is { } replaced)
                    {
                        return [replaced];
                    }
                }
            }

            return balanceRegions && BalanceRegion(sorted, targets, peerCounts) is { } balanced ? [balanced] : [];
        });
        return moved.Count > 0;
    }

    /// <summary>balance-region: from the live member with the most peers to the one with the fewest, while they differ by two or more.</summary>
    private RegionState? BalanceRegion(IReadOnlyList<RegionState> sorted, List<StoreNode> targets, Dictionary<ulong, int> peerCounts)
    {
        var bySize = targets.OrderByDescending(s => peerCounts.GetValueOrDefault(s.Id)).ThenBy(s => s.Id).ToList();
        foreach (var source in bySize)
        {
            foreach (var target in bySize.AsEnumerable().Reverse())
            {
                if (peerCounts.GetValueOrDefault(source.Id) - peerCounts.GetValueOrDefault(target.Id) < 2)
                {
                    break;
                }

                foreach (var region in sorted)
                {
                    if (region.PeerOn(source.Id) is not null && region.PeerOn(target.Id) is null &&
                        TryReplace(region, source.Id, [target], peerCounts, sorted) is { } moved)
                    {
                        return moved;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The region after replacing its peer on <paramref name="fromStoreId"/> by a new peer (fresh id from PD) on the
    /// candidate holding the fewest peers, or null when it cannot move now: a conf change needs a live leader to
    /// propose it, and a target without a peer of the region. A leader on the replaced peer is transferred to another
    /// live peer first, as PD's operator does.
    /// </summary>
    private RegionState? TryReplace(
        RegionState region, ulong fromStoreId, IReadOnlyList<StoreNode> candidates, Dictionary<ulong, int> peerCounts, IReadOnlyList<RegionState> sorted)
    {
        if (region.LeaderStoreId == 0 || !IsStoreUp(region.LeaderStoreId))
        {
            return null;
        }

        var target = candidates
            .Where(s => s.Id != fromStoreId && region.PeerOn(s.Id) is null)
            .OrderBy(s => peerCounts.GetValueOrDefault(s.Id))
            .ThenBy(s => s.Id)
            .FirstOrDefault();
        if (target is null)
        {
            return null;
        }

        var old = region.PeerOn(fromStoreId)!.Value;
        var added = new RegionPeer(Ids.Next(), target.Id);
        var moved = region with
        {
            Peers = region.Peers.Remove(old).Add(added),
            ConfVer = region.ConfVer + ReplacePeerConfVerDelta,
        };
        if (region.LeaderStoreId == fromStoreId)
        {
            var leaders = LeaderCounts(sorted);
            var leader = moved.Peers
                .Where(p => IsStoreUp(p.StoreId) && GetStore(p.StoreId) is { IsMember: true })
                .OrderBy(p => leaders.GetValueOrDefault(p.StoreId))
                .ThenBy(p => p.StoreId)
                .First();
            moved = WithLeader(moved, leader.StoreId);
        }

        peerCounts[fromStoreId] = peerCounts.GetValueOrDefault(fromStoreId) - 1;
        peerCounts[target.Id] = peerCounts.GetValueOrDefault(target.Id) + 1;
        Log.PeerMoved(Logger, region.Id, fromStoreId, target.Id, added.PeerId, moved.ConfVer);
        return moved;
    }

    private static Dictionary<ulong, int> PeerCounts(IEnumerable<RegionState> regions)
    {
        var counts = new Dictionary<ulong, int>();
        foreach (var region in regions)
        {
            foreach (var peer in region.Peers)
            {
                counts[peer.StoreId] = counts.GetValueOrDefault(peer.StoreId) + 1;
            }
        }

        return counts;
    }
}
