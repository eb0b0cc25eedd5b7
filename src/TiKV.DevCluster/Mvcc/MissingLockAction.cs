namespace TiKV.DevCluster.Mvcc;

/// <summary>What to do when the transaction's lock is missing and no record says what happened to it.</summary>
internal enum MissingLockAction
{
    /// <summary>Write a collapsible rollback record.</summary>
    Rollback,

    /// <summary>Write a protected rollback record (never collapsed), as for primaries and async commit.</summary>
    ProtectedRollback,

    /// <summary>Report TxnNotFound.</summary>
    ReturnError,
}
