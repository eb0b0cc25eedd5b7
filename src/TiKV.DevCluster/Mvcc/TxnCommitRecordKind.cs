namespace TiKV.DevCluster.Mvcc;

/// <summary>What the write CF says about a transaction at one key.</summary>
internal enum TxnCommitRecordKind
{
    /// <summary>No record: neither committed nor rolled back here.</summary>
    None,

    /// <summary>A commit or rollback record with the transaction's start_ts.</summary>
    SingleRecord,

    /// <summary>Another transaction's commit at commit_ts == start_ts carries this transaction's rollback.</summary>
    OverlappedRollback,
}
