namespace TiKV.DevCluster.Mvcc;

/// <summary>TiKV's write-record types in the write CF.</summary>
internal enum WriteKind : byte
{
    /// <summary>A committed put.</summary>
    Put = 1,

    /// <summary>A committed delete.</summary>
    Delete = 2,

    /// <summary>A committed lock-only mutation; carries no data.</summary>
    Lock = 3,

    /// <summary>A rollback marker at start_ts, so a late prewrite of the transaction fails.</summary>
    Rollback = 4,
}
