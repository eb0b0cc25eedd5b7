namespace TiKV.Client;

/// <summary>
/// Settings of one transaction (see <see cref="TiKVClient.BeginTransactionAsync"/>). Each property documents its
/// default; the values are copied when the transaction begins.
/// </summary>
public sealed class TransactionOptions
{
    /// <summary>Optimistic or pessimistic conflict detection. Default <see cref="TransactionMode.Optimistic"/>.</summary>
    public TransactionMode Mode { get; set; } = TransactionMode.Optimistic;

    /// <summary>
    /// Commit with TiKV's async-commit protocol when the transaction is small enough (at most 256 keys and 4 KiB of
    /// keys): the transaction is committed once every prewrite succeeded, one round trip earlier, and its commit_ts is
    /// the largest min_commit_ts TiKV reports. Larger transactions, and stores that decline, fall back to two-phase
    /// commit. Default false (as in client-go).
    /// </summary>
    public bool UseAsyncCommit { get; set; }

    /// <summary>
    /// Try one-phase commit when all mutations fit in one request to one region: TiKV commits them directly at
    /// prewrite. Otherwise, or if TiKV declines, the transaction falls back to the other protocols. Default false.
    /// </summary>
    public bool TryOnePhaseCommit { get; set; }

    /// <summary>
    /// How long a pessimistic lock request keeps waiting for a key another live transaction holds before failing with
    /// <see cref="LockWaitTimeoutException"/>. <see cref="TimeSpan.Zero"/> fails at once (no wait);
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as the holder lives. Default 50 s (TiDB's
    /// innodb_lock_wait_timeout). Ignored by optimistic transactions.
    /// </summary>
    public TimeSpan LockWaitTimeout { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>
    /// The start_ts to read (and, if the transaction writes, to commit) at instead of a fresh timestamp from PD, e.g. to
    /// read a past version. Writes of a transaction started in the past fail with <see cref="WriteConflictException"/>
    /// if the keys changed since. Default null (a fresh timestamp).
    /// </summary>
    public ulong? StartTimestamp { get; set; }

    /// <summary>
    /// Overrides the TTL of prewrite locks (client-go derives it from the transaction's size and age). Lets tests play
    /// a crashed client whose locks expire quickly.
    /// </summary>
    internal TimeSpan? LockTtl { get; set; }

    /// <summary>TTL of pessimistic locks and of heartbeat extensions (client-go's ManagedLockTTL, 20 s).</summary>
    internal TimeSpan ManagedLockTtl { get; set; } = TimeSpan.FromMilliseconds(Txn.Internal.TxnBudgets.ManagedLockTtlMs);

    /// <summary>Period of TTL heartbeats (half of ManagedLockTTL in client-go).</summary>
    internal TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(Txn.Internal.TxnBudgets.ManagedLockTtlMs / 2);

    /// <summary>Optimistic transactions at least this large keep their primary alive with heartbeats (32 MiB).</summary>
    internal long HeartbeatTxnSize { get; set; } = Txn.Internal.TxnBudgets.HeartbeatTxnSize;

    /// <summary>Checks the settings and returns a copy the transaction keeps.</summary>
    internal TransactionOptions Snapshot()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"Unknown transaction mode {Mode}.", nameof(Mode));
        }

        if (LockWaitTimeout < TimeSpan.Zero && LockWaitTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"LockWaitTimeout must be zero (no wait), positive or infinite, was {LockWaitTimeout}.", nameof(LockWaitTimeout));
        }

        if (StartTimestamp == 0)
        {
            throw new ArgumentException("StartTimestamp must be a TSO timestamp above zero (or null for a fresh one).", nameof(StartTimestamp));
        }

        if (LockTtl is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LockTtl must be positive, was {ttl}.", nameof(LockTtl));
        }

        return (TransactionOptions)MemberwiseClone();
    }
}
