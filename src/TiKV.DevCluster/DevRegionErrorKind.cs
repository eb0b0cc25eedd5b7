namespace TiKV.DevCluster;

/// <summary>
/// Region errors (<c>errorpb.Error</c> variants) a store can be made to answer with through
/// <see cref="DevFaults.InjectRegionError"/>. Each is filled in from the region's current state the way TiKV fills it.
/// </summary>
public enum DevRegionErrorKind
{
    /// <summary>NotLeader naming the region's current leader, as a peer that knows the leader answers.</summary>
    NotLeader,

    /// <summary>NotLeader without a leader, as during an election.</summary>
    NotLeaderWithoutLeader,

    /// <summary>EpochNotMatch carrying the current region (and its split siblings when the request's version is older).</summary>
    EpochNotMatch,

    /// <summary>RegionNotFound for the request's region.</summary>
    RegionNotFound,

    /// <summary>KeyNotInRegion for the request's first key and the region's current range.</summary>
    KeyNotInRegion,

    /// <summary>StoreNotMatch: the store the request names against this store's id.</summary>
    StoreNotMatch,

    /// <summary>ServerIsBusy with the storage scheduler's reason (<c>scheduler is busy</c>).</summary>
    ServerIsBusy,

    /// <summary>StaleCommand, as for a proposal dropped after a leader change.</summary>
    StaleCommand,

    /// <summary>MaxTimestampNotSynced, as right after a leader change before the max timestamp is updated from PD.</summary>
    MaxTimestampNotSynced,

    /// <summary>ReadIndexNotReady, as while the region is splitting.</summary>
    ReadIndexNotReady,

    /// <summary>ProposalInMergingMode, as while the region is being merged.</summary>
    ProposalInMergingMode,

    /// <summary>RegionNotInitialized, as for a peer still waiting for its snapshot.</summary>
    RegionNotInitialized,

    /// <summary>DataIsNotReady, as a stale read finds the peer's safe timestamp behind.</summary>
    DataIsNotReady,

    /// <summary>DiskFull naming this store, as a write proposed on a store whose disk is full.</summary>
    DiskFull,

    /// <summary>RaftEntryTooLarge with the request's size; clients fail at once rather than retry.</summary>
    RaftEntryTooLarge,
}
