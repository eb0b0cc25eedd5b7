namespace TiKV.DevCluster.Internal.Regions;

/// <summary>One replica of a region: a raft peer with its own id, placed on one store.</summary>
/// <param name="PeerId">The peer id (allocated by PD, unique in the cluster).</param>
/// <param name="StoreId">The store that holds this replica.</param>
internal readonly record struct RegionPeer(ulong PeerId, ulong StoreId);
