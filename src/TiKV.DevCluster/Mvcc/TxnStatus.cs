namespace TiKV.DevCluster.Mvcc;

/// <summary>Result of a transaction status check.</summary>
/// <param name="Kind">The conclusion.</param>
/// <param name="CommitTs">Commit ts when committed.</param>
/// <param name="Lock">The lock when uncommitted.</param>
/// <param name="MinCommitTsPushed">Whether the lock's min_commit_ts is now above the caller's start_ts.</param>
internal readonly record struct TxnStatus(TxnStatusKind Kind, ulong CommitTs = 0, LockRecord? Lock = null, bool MinCommitTsPushed = false);
