namespace TiKV.DevCluster;

/// <summary>A region of a <see cref="DevCluster"/> as PD knows it.</summary>
/// <param name="Id">The region id.</param>
/// <param name="StartKey">Inclusive start key as PD stores it (memcomparable-encoded for transactional data); empty = -infinity.</param>
/// <param name="EndKey">Exclusive end key as PD stores it; empty = +infinity.</param>
/// <param name="Version">Epoch version (advances on splits).</param>
/// <param name="ConfVer">Epoch conf_ver (advances on membership changes).</param>
/// <param name="LeaderStoreId">Store of the leader peer; 0 when the region has no leader.</param>
/// <param name="PeerStoreIds">Stores holding a peer, in peer order.</param>
/// <param name="PeerIds">Peer ids, in the same order as <paramref name="PeerStoreIds"/>.</param>
public sealed record DevRegionInfo(
    ulong Id,
    ReadOnlyMemory<byte> StartKey,
    ReadOnlyMemory<byte> EndKey,
    ulong Version,
    ulong ConfVer,
    ulong LeaderStoreId,
    IReadOnlyList<ulong> PeerStoreIds,
    IReadOnlyList<ulong> PeerIds);
