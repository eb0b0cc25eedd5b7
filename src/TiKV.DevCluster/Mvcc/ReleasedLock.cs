namespace TiKV.DevCluster.Mvcc;

/// <summary>A lock a command removed; pessimistic-lock waiters on the key are woken once the write is applied.</summary>
/// <param name="EncodedKey">The key in lock-CF form.</param>
/// <param name="StartTs">start_ts of the lock's transaction.</param>
/// <param name="CommitTs">Its commit_ts, or 0 when rolled back.</param>
internal readonly record struct ReleasedLock(byte[] EncodedKey, ulong StartTs, ulong CommitTs);
