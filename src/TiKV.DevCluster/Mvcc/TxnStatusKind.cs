namespace TiKV.DevCluster.Mvcc;

/// <summary>TiKV's TxnStatus: what CheckTxnStatus and friends concluded about a transaction.</summary>
internal enum TxnStatusKind
{
    /// <summary>Already rolled back before this call.</summary>
    RolledBack,

    /// <summary>The lock had expired and was rolled back by this call.</summary>
    TtlExpire,

    /// <summary>No lock and no record: a rollback record was written.</summary>
    LockNotExist,

    /// <summary>Committed.</summary>
    Committed,

    /// <summary>Still locked.</summary>
    Uncommitted,

    /// <summary>An expired pessimistic primary lock was removed without a rollback record.</summary>
    PessimisticRollBack,

    /// <summary>No lock, and the caller asked not to write anything (resolving a pessimistic lock).</summary>
    LockNotExistDoNothing,
}
