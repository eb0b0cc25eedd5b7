using System.Collections.Immutable;
using Google.Protobuf;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Internal.Regions;

/// <summary>
/// An immutable view of one region: its key range [start, end), its epoch, its peers and which store's peer
/// currently leads it. Changes produce a new instance, so a request checks against one consistent version.
/// </summary>
/// <param name="Id">The region id.</param>
/// <param name="StartKey">Inclusive start key, as PD stores it (empty = -infinity).</param>
/// <param name="EndKey">Exclusive end key, as PD stores it (empty = +infinity).</param>
/// <param name="ConfVer">Epoch conf_ver: bumped by membership changes.</param>
/// <param name="Version">Epoch version: bumped by splits (and merges in TiKV).</param>
/// <param name="Peers">The replicas, in placement order.</param>
/// <param name="LeaderStoreId">
/// The store whose peer the followers believe leads; 0 when no leader is known (no quorum of live peers).
/// </param>
/// <param name="Term">The raft term; advances with each leader change.</param>
internal sealed record RegionState(
    ulong Id,
    byte[] StartKey,
    byte[] EndKey,
    ulong ConfVer,
    ulong Version,
    ImmutableArray<RegionPeer> Peers,
    ulong LeaderStoreId,
    ulong Term)
{
    /// <summary>The peer placed on <paramref name="storeId"/>, if any.</summary>
    public RegionPeer? PeerOn(ulong storeId)
    {
        foreach (var peer in Peers)
        {
            if (peer.StoreId == storeId)
            {
                return peer;
            }
        }

        return null;
    }

    /// <summary>The leader's peer, or null when no leader is known.</summary>
    public RegionPeer? Leader => LeaderStoreId == 0 ? null : PeerOn(LeaderStoreId);

    /// <summary>Whether <paramref name="key"/> falls inside [start, end).</summary>
    public bool Contains(ReadOnlySpan<byte> key) => Keys.KeyComparer.InRange(key, StartKey, EndKey);

    /// <summary>The region as metapb describes it.</summary>
    public Region ToProto()
    {
        var region = new Region
        {
            Id = Id,
            StartKey = ByteString.CopyFrom(StartKey),
            EndKey = ByteString.CopyFrom(EndKey),
            RegionEpoch = new RegionEpoch { ConfVer = ConfVer, Version = Version },
        };
        foreach (var peer in Peers)
        {
            region.Peers.Add(ToProto(peer));
        }

        return region;
    }

    /// <summary>A peer as metapb describes it.</summary>
    public static Peer ToProto(RegionPeer peer) => new() { Id = peer.PeerId, StoreId = peer.StoreId, Role = PeerRole.Voter };
}
