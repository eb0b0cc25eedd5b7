namespace TiKV.DevCluster.Mvcc;

/// <summary>How a pessimistic lock wait ended.</summary>
/// <param name="Released">Whether the lock was released (otherwise the wait timed out or was cancelled).</param>
/// <param name="ReleasedStartTs">start_ts of the released lock.</param>
/// <param name="ReleasedCommitTs">commit_ts of the released lock's transaction, 0 if it was rolled back.</param>
internal readonly record struct LockWaitOutcome(bool Released, ulong ReleasedStartTs, ulong ReleasedCommitTs);
