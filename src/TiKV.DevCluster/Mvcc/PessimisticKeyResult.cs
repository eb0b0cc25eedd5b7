namespace TiKV.DevCluster.Mvcc;

/// <summary>What acquiring one pessimistic lock produced (TiKV's PessimisticLockKeyResult, success cases).</summary>
/// <param name="Value">The current value when requested; null when the key does not exist.</param>
/// <param name="Exists">Whether the key exists (for check_existence).</param>
/// <param name="LockedWithConflictTs">In force-lock mode, the newer commit_ts the lock was taken over; 0 otherwise.</param>
internal readonly record struct PessimisticKeyResult(ReadOnlyMemory<byte>? Value, bool Exists, ulong LockedWithConflictTs);
