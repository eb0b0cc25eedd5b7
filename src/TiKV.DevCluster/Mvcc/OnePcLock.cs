namespace TiKV.DevCluster.Mvcc;

/// <summary>A lock of a 1PC prewrite, turned into a write record at the final commit_ts or back into a lock on fallback.</summary>
/// <param name="EncodedKey">The key in lock-CF form.</param>
/// <param name="Lock">The lock that would have been written.</param>
/// <param name="RemovesPessimisticLock">Whether a pessimistic lock of the transaction stands on the key.</param>
internal readonly record struct OnePcLock(byte[] EncodedKey, LockRecord Lock, bool RemovesPessimisticLock);
