namespace TiKV.Client;

/// <summary>How a transaction detects conflicting writers.</summary>
public enum TransactionMode
{
    /// <summary>
    /// Writes are buffered and checked for conflicts at commit (prewrite); a conflict fails the commit with
    /// <see cref="WriteConflictException"/>. Cheapest when conflicts are rare.
    /// </summary>
    Optimistic,

    /// <summary>
    /// Writes (and <see cref="Transaction.LockKeysAsync(IEnumerable{byte[]}, CancellationToken)"/>) take pessimistic
    /// locks in TiKV as they happen, waiting for other holders; the commit then cannot meet a write conflict on those
    /// keys. Deadlocks between transactions are detected by TiKV and fail one of them with <see cref="DeadlockException"/>.
    /// </summary>
    Pessimistic,
}
