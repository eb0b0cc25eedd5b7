namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The unary <c>tikvpb.Tikv</c> methods a store serves (each also reachable as a BatchCommands sub-request where
/// kvproto has one). The member names are the gRPC method names, so they label metrics and match fault rules
/// without a lookup; the numbering indexes the store's per-method counters.
/// </summary>
internal enum TikvMethod
{
    /// <summary><c>KvGet</c>.</summary>
    KvGet,

    /// <summary><c>KvScan</c>.</summary>
    KvScan,

    /// <summary><c>KvPrewrite</c>.</summary>
    KvPrewrite,

    /// <summary><c>KvPessimisticLock</c>.</summary>
    KvPessimisticLock,

    /// <summary><c>KVPessimisticRollback</c> (kvproto spells it with a capital V).</summary>
    KVPessimisticRollback,

    /// <summary><c>KvTxnHeartBeat</c>.</summary>
    KvTxnHeartBeat,

    /// <summary><c>KvCheckTxnStatus</c>.</summary>
    KvCheckTxnStatus,

    /// <summary><c>KvCheckSecondaryLocks</c>.</summary>
    KvCheckSecondaryLocks,

    /// <summary><c>KvCommit</c>.</summary>
    KvCommit,

    /// <summary><c>KvCleanup</c>.</summary>
    KvCleanup,

    /// <summary><c>KvBatchGet</c>.</summary>
    KvBatchGet,

    /// <summary><c>KvBatchRollback</c>.</summary>
    KvBatchRollback,

    /// <summary><c>KvScanLock</c>.</summary>
    KvScanLock,

    /// <summary><c>KvResolveLock</c>.</summary>
    KvResolveLock,

    /// <summary><c>KvGC</c>.</summary>
    KvGC,

    /// <summary><c>KvDeleteRange</c>.</summary>
    KvDeleteRange,

    /// <summary><c>RawGet</c>.</summary>
    RawGet,

    /// <summary><c>RawBatchGet</c>.</summary>
    RawBatchGet,

    /// <summary><c>RawPut</c>.</summary>
    RawPut,

    /// <summary><c>RawBatchPut</c>.</summary>
    RawBatchPut,

    /// <summary><c>RawDelete</c>.</summary>
    RawDelete,

    /// <summary><c>RawBatchDelete</c>.</summary>
    RawBatchDelete,

    /// <summary><c>RawScan</c>.</summary>
    RawScan,

    /// <summary><c>RawDeleteRange</c>.</summary>
    RawDeleteRange,

    /// <summary><c>RawBatchScan</c>.</summary>
    RawBatchScan,

    /// <summary><c>RawGetKeyTTL</c>.</summary>
    RawGetKeyTTL,

    /// <summary><c>RawCompareAndSwap</c>.</summary>
    RawCompareAndSwap,

    /// <summary><c>RawChecksum</c>.</summary>
    RawChecksum,

    /// <summary><c>UnsafeDestroyRange</c>.</summary>
    UnsafeDestroyRange,

    /// <summary><c>SplitRegion</c>.</summary>
    SplitRegion,

    /// <summary><c>GetHealthFeedback</c>.</summary>
    GetHealthFeedback,
}
