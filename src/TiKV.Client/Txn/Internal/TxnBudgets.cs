namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Backoff budgets and protocol constants of transactional operations, as client-go sets them
/// (txnkv/transaction and txnkv/txnsnapshot).
/// </summary>
internal static class TxnBudgets
{
    /// <summary>Point and batch reads, scans (client-go's getMaxBackoff / batchGetMaxBackoff / scanMaxBackoff).</summary>
    public static readonly TimeSpan Read = TimeSpan.FromSeconds(20);

    /// <summary>Prewrite and the primary commit (PrewriteMaxBackoff / CommitMaxBackoff).</summary>
    public static readonly TimeSpan Prewrite = TimeSpan.FromSeconds(40);

    /// <summary>Committing secondaries in the background (CommitSecondaryMaxBackoff).</summary>
    public static readonly TimeSpan CommitSecondary = TimeSpan.FromSeconds(41);

    /// <summary>Acquiring pessimistic locks, not counting the time TiKV waits for them (pessimisticLockMaxBackoff).</summary>
    public static readonly TimeSpan PessimisticLock = TimeSpan.FromSeconds(20);

    /// <summary>Rolling back after a failed commit or on request (cleanupMaxBackoff).</summary>
    public static readonly TimeSpan Cleanup = TimeSpan.FromSeconds(20);

    /// <summary>One TTL heartbeat (keepAliveMaxBackoff).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);

    /// <summary>Bytes per prewrite/commit request to one region (txnCommitBatchSize).</summary>
    public const int CommitBatchBytes = 16 * 1024;

    /// <summary>Pairs per scan request (client-go's scanBatchSize).</summary>
    public const int ScanBatchSize = 256;

    /// <summary>Lock TTL of small transactions (defaultLockTTL).</summary>
    public const ulong DefaultLockTtlMs = 3_000;

    /// <summary>Lock TTL ceiling by size, and the TTL heartbeats and pessimistic locks use (ManagedLockTTL).</summary>
    public const ulong ManagedLockTtlMs = 20_000;

    /// <summary>ttl = factor · sqrt(size in MiB) for large transactions (ttlFactor).</summary>
    public const double TtlFactor = 6_000;

    /// <summary>Heartbeats stop once a transaction has lived this long (max-txn-ttl, 1 hour).</summary>
    public const long MaxTxnTtlMs = 60 * 60 * 1000;

    /// <summary>Optimistic transactions larger than this keep their primary alive with heartbeats (TTLRefreshedTxnSize, 32 MiB).</summary>
    public const long HeartbeatTxnSize = 32L * 1024 * 1024;

    /// <summary>Async commit only for transactions of at most this many keys (async-commit.keys-limit).</summary>
    public const int AsyncCommitKeysLimit = 256;

    /// <summary>... and at most this many key bytes (async-commit.total-key-size-limit).</summary>
    public const int AsyncCommitKeySizeLimit = 4 * 1024;

    /// <summary>How far past the start the commit_ts of an async-commit/1PC transaction may lie (async-commit.safe-window).</summary>
    public const long AsyncCommitSafeWindowMs = 2_000;

    /// <summary>Locks of transactions with fewer keys are resolved key by key instead of region-wide (resolveLockLiteThreshold).</summary>
    public const ulong ResolveLiteThreshold = 16;

    /// <summary>A lock updated this recently belongs to a live transaction: keep waiting instead of resolving (skipResolveThresholdMs).</summary>
    public const ulong SkipResolveThresholdMs = 300;

    /// <summary>Resolved transaction statuses kept per client (ResolvedCacheSize).</summary>
    public const int ResolvedCacheSize = 2048;

    /// <summary>
    /// client-go's txnLockTTL: 3 s for transactions under 16 KiB, else 6 s · sqrt(MiB) clamped to [3 s, 20 s], plus the
    /// time the transaction has been running, so a transaction that read for long is not rolled back right after prewrite.
    /// </summary>
    public static ulong LockTtlMs(long sizeBytes, TimeSpan elapsed)
    {
        var ttl = DefaultLockTtlMs;
        if (sizeBytes >= CommitBatchBytes)
        {
            var sizeMiB = sizeBytes / (1024.0 * 1024.0);
            ttl = Math.Clamp((ulong)(TtlFactor * Math.Sqrt(sizeMiB)), DefaultLockTtlMs, ManagedLockTtlMs);
        }

        return ttl + (ulong)Math.Max(0, (long)elapsed.TotalMilliseconds);
    }
}
