using Google.Protobuf;
using Microsoft.Extensions.Logging;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Settles the locks requests run into, as client-go's txnlock.LockResolver does: ask the lock's primary for the
/// transaction's status (CheckTxnStatus), then commit or roll the lock back (ResolveLock), roll back an expired
/// pessimistic lock (PessimisticRollback), recover an async-commit transaction from all its secondaries
/// (CheckSecondaryLocks), or report how long the caller should wait for a live transaction. Final statuses are
/// cached per client. One instance per client, shared by all its transactions and snapshots.
/// </summary>
internal sealed partial class LockResolver
{
    private readonly TxnCore _txn;
    private readonly ILogger _logger;
    private readonly Dictionary<ulong, TxnStatus> _resolved = [];
    private readonly Queue<ulong> _resolvedOrder = new();
    private readonly object _gate = new();

    public LockResolver(TxnCore txn, ILogger logger)
    {
        _txn = txn;
        _logger = logger;
    }

    private enum StatusError
    {
        None,
        TxnNotFound,
        PrimaryMismatch,
    }

    /// <summary>
    /// Resolves <paramref name="locks"/> on behalf of a request of the transaction (or snapshot) at
    /// <paramref name="callerStartTs"/>. Reads (<paramref name="forRead"/>) also learn which locks they may ignore
    /// or read through instead of waiting.
    /// </summary>
    public async Task<ResolveResult> ResolveAsync(Backoffer backoffer, ulong callerStartTs, IReadOnlyList<TxnLock> locks, bool forRead, CancellationToken cancellationToken)
    {
        if (locks.Count == 0)
        {
            return ResolveResult.None;
        }

        var cleanRegions = new Dictionary<ulong, HashSet<ulong>>();
        var asyncRecovered = new Dictionary<ulong, TxnStatus>();
        long? msBeforeExpired = null;
        List<ulong>? ignore = null;
        List<ulong>? access = null;
        foreach (var lockInfo in locks)
        {
            var status = await ResolveOneAsync(backoffer, lockInfo, callerStartTs, forceSyncCommit: false, cleanRegions, asyncRecovered, cancellationToken).ConfigureAwait(false);
            if (!forRead && status.Ttl != 0)
            {
                Update(_txn.UntilExpiredMs(lockInfo.TxnId, status.Ttl));
                TxnMetrics.RecordLockResolve("alive");
                continue;
            }

            if (status.Action == Proto.Kvrpcpb.Action.MinCommitTspushed || status.IsRolledBack || (status.IsCommitted && status.CommitTs > callerStartTs))
            {
                (ignore ??= []).Add(lockInfo.TxnId);
            }
            else if (status.IsCommitted)
            {
                (access ??= []).Add(lockInfo.TxnId);
            }
            else
            {
                Update(_txn.UntilExpiredMs(lockInfo.TxnId, status.Ttl));
            }

            TxnMetrics.RecordLockResolve(Outcome(status));
        }

        return new ResolveResult(msBeforeExpired ?? 0, (IReadOnlyList<ulong>?)ignore ?? [], (IReadOnlyList<ulong>?)access ?? []);

        void Update(long untilExpired)
        {
            var value = Math.Max(0, untilExpired);
            msBeforeExpired = msBeforeExpired is { } current ? Math.Min(current, value) : value;
        }
    }

    /// <summary>The cached final status of a transaction, if known.</summary>
    public bool TryGetResolved(ulong txnId, out TxnStatus status)
    {
        lock (_gate)
        {
            return _resolved.TryGetValue(txnId, out status);
        }
    }

    private static string Outcome(TxnStatus status) => status switch
    {
        { IsCommitted: true } => "committed",
        { IsRolledBack: true } => "rolled_back",
        { Action: Proto.Kvrpcpb.Action.MinCommitTspushed } => "min_commit_ts_pushed",
        { Ttl: > 0 } => "alive",
        _ => "pessimistic_rolled_back",
    };

    /// <summary>client-go's resolve closure in resolveLocks: status first, then the action the status calls for.</summary>
    private async Task<TxnStatus> ResolveOneAsync(
        Backoffer backoffer,
        TxnLock lockInfo,
        ulong callerStartTs,
        bool forceSyncCommit,
        Dictionary<ulong, HashSet<ulong>> cleanRegions,
        Dictionary<ulong, TxnStatus> asyncRecovered,
        CancellationToken cancellationToken)
    {
        var status = await GetTxnStatusFromLockAsync(backoffer, lockInfo, callerStartTs, forceSyncCommit, cancellationToken).ConfigureAwait(false);
        var expiredAsyncCommit = status.PrimaryLock is { UseAsyncCommit: true } && !forceSyncCommit
            && _txn.UntilExpiredMs(lockInfo.TxnId, status.Ttl) <= 0;
        if (status.Ttl != 0 && !expiredAsyncCommit)
        {
            return status;
        }

        if (expiredAsyncCommit)
        {
            // Recovery settles every lock of the transaction, so once per transaction per call is enough.
            if (asyncRecovered.TryGetValue(lockInfo.TxnId, out var recovered))
            {
                return recovered;
            }

            var final = await RecoverAsyncCommitAsync(backoffer, lockInfo, status, cancellationToken).ConfigureAwait(false);
            if (final is null)
            {
                // Some lock of the transaction is not an async-commit lock (it fell back to 2PC): its primary decides.
                return await ResolveOneAsync(backoffer, lockInfo, callerStartTs, forceSyncCommit: true, cleanRegions, asyncRecovered, cancellationToken).ConfigureAwait(false);
            }

            asyncRecovered[lockInfo.TxnId] = final.Value;
            return final.Value;
        }

        if (lockInfo.IsPessimistic)
        {
            await ResolvePessimisticLockAsync(backoffer, lockInfo, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ResolveLockAsync(backoffer, lockInfo, status, cleanRegions, cancellationToken).ConfigureAwait(false);
        }

        return status;
    }

    /// <summary>
    /// client-go's getTxnStatusFromLock: CheckTxnStatus with current_ts (or max when the lock's TTL is 0, TiKV's way
    /// of asking for an unconditional resolve). When the primary has neither lock nor record yet, its prewrite may
    /// still be in flight: wait for it until the lock expires, then have TiKV write a rollback record.
    /// </summary>
    private async Task<TxnStatus> GetTxnStatusFromLockAsync(Backoffer backoffer, TxnLock lockInfo, ulong callerStartTs, bool forceSyncCommit, CancellationToken cancellationToken)
    {
        var currentTs = lockInfo.Ttl == 0 ? ulong.MaxValue : await _txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        var rollbackIfNotExist = false;
        while (true)
        {
            var (status, error) = await GetTxnStatusAsync(backoffer, lockInfo, callerStartTs, currentTs, rollbackIfNotExist, forceSyncCommit, cancellationToken).ConfigureAwait(false);
            switch (error)
            {
                case StatusError.None:
                    return status;
                case StatusError.PrimaryMismatch:
                    // The pessimistic lock names a primary that is not locked as primary: it is stale, roll it back.
                    return default;
            }

            if (_txn.UntilExpiredMs(lockInfo.TxnId, lockInfo.Ttl) <= 0)
            {
                rollbackIfNotExist = true;
                continue;
            }

            if (lockInfo.IsPessimistic)
            {
                // A pessimistic transaction may have rolled its primary back while secondaries remain: wait for the TTL.
                return new TxnStatus(lockInfo.Ttl, 0, Proto.Kvrpcpb.Action.NoAction, null);
            }

            var cause = new TiKVException($"Primary {Convert.ToHexString(lockInfo.Primary)} of transaction {lockInfo.TxnId} is not locked yet", isRetryable: true);
            await backoffer.BackoffAsync(BackoffKind.TxnNotFound, cause, null, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(TxnStatus Status, StatusError Error)> GetTxnStatusAsync(
        Backoffer backoffer,
        TxnLock lockInfo,
        ulong callerStartTs,
        ulong currentTs,
        bool rollbackIfNotExist,
        bool forceSyncCommit,
        CancellationToken cancellationToken)
    {
        if (TryGetResolved(lockInfo.TxnId, out var cached))
        {
            return (cached, StatusError.None);
        }

        var resolvingPessimistic = lockInfo.IsPessimistic;
        var response = await _txn.SendToKeyAsync(
            backoffer,
            lockInfo.Primary,
            () => TxnRequests.CheckTxnStatus(new CheckTxnStatusRequest
            {
                PrimaryKey = ByteString.CopyFrom(lockInfo.Primary),
                LockTs = lockInfo.TxnId,
                CallerStartTs = callerStartTs,
                CurrentTs = currentTs,
                RollbackIfNotExist = rollbackIfNotExist,
                ForceSyncCommit = forceSyncCommit,
                ResolvingPessimisticLock = resolvingPessimistic,
                VerifyIsPrimary = true,
            }),
            cancellationToken).ConfigureAwait(false);
        if (response.Error is { } error)
        {
            if (error.TxnNotFound is not null)
            {
                return (default, StatusError.TxnNotFound);
            }

            if (error.PrimaryMismatch is not null && resolvingPessimistic)
            {
                return (default, StatusError.PrimaryMismatch);
            }

            throw new KeyException(error, $"CheckTxnStatus of transaction {lockInfo.TxnId} failed: {TxnErrors.Describe(error)}");
        }

        var status = response.LockTtl != 0
            ? new TxnStatus(response.LockTtl, 0, response.Action, response.LockInfo)
            : new TxnStatus(0, response.CommitVersion, response.Action, response.LockInfo);
        if (status.IsDetermined)
        {
            SaveResolved(lockInfo.TxnId, status);
        }

        return (status, StatusError.None);
    }

    private void SaveResolved(ulong txnId, TxnStatus status)
    {
        lock (_gate)
        {
            if (!_resolved.TryAdd(txnId, status with { PrimaryLock = null }))
            {
                return;
            }

            _resolvedOrder.Enqueue(txnId);
            if (_resolvedOrder.Count > TxnBudgets.ResolvedCacheSize)
            {
                _resolved.Remove(_resolvedOrder.Dequeue());
            }
        }
    }

    /// <summary>
    /// ResolveLock for a lock of a committed or rolled-back transaction. Locks of small transactions are resolved key
    /// by key (and the primary needs nothing: CheckTxnStatus already settled it); otherwise one request resolves every
    /// lock of the transaction in the region.
    /// </summary>
    private async Task ResolveLockAsync(Backoffer backoffer, TxnLock lockInfo, TxnStatus status, Dictionary<ulong, HashSet<ulong>> cleanRegions, CancellationToken cancellationToken)
    {
        var lite = lockInfo.TxnSize < TxnBudgets.ResolveLiteThreshold;
        if (lite && lockInfo.Key.AsSpan().SequenceEqual(lockInfo.Primary))
        {
            return;
        }

        if (!cleanRegions.TryGetValue(lockInfo.TxnId, out var regions))
        {
            regions = [];
            cleanRegions[lockInfo.TxnId] = regions;
        }

        var located = await _txn.LocateAsync(lockInfo.Key, backoffer, cancellationToken).ConfigureAwait(false);
        if (!lite && regions.Contains(located.Id))
        {
            return;
        }

        var (response, region) = await _txn.Plan.RegionAsync(
            backoffer,
            b => _txn.LocateAsync(lockInfo.Key, b, cancellationToken),
            _ =>
            {
                var request = new ResolveLockRequest { StartVersion = lockInfo.TxnId, CommitVersion = status.CommitTs };
                if (lite)
                {
                    request.Keys.Add(ByteString.CopyFrom(lockInfo.Key));
                }

                return TxnRequests.ResolveLock(request);
            },
            cancellationToken).ConfigureAwait(false);
        if (response.Error is { } error)
        {
            throw new KeyException(error, $"ResolveLock of transaction {lockInfo.TxnId} failed: {TxnErrors.Describe(error)}");
        }

        if (!lite)
        {
            regions.Add(region.Id);
        }

        TxnLog.LockResolved(_logger, lockInfo.TxnId, status.CommitTs);
    }

    /// <summary>Rolls back an expired pessimistic lock (the primary's lock was already settled by CheckTxnStatus).</summary>
    private async Task ResolvePessimisticLockAsync(Backoffer backoffer, TxnLock lockInfo, CancellationToken cancellationToken)
    {
        if (lockInfo.Key.AsSpan().SequenceEqual(lockInfo.Primary))
        {
            return;
        }

        var forUpdateTs = lockInfo.LockForUpdateTs == 0 ? ulong.MaxValue : lockInfo.LockForUpdateTs;
        var response = await _txn.SendToKeyAsync(
            backoffer,
            lockInfo.Key,
            () => TxnRequests.PessimisticRollback(new PessimisticRollbackRequest
            {
                StartVersion = lockInfo.TxnId,
                ForUpdateTs = forUpdateTs,
                Keys = { ByteString.CopyFrom(lockInfo.Key) },
            }),
            cancellationToken).ConfigureAwait(false);
        if (response.Errors.Count > 0)
        {
            throw new KeyException(response.Errors[0], $"PessimisticRollback of transaction {lockInfo.TxnId} failed: {TxnErrors.Describe(response.Errors[0])}");
        }

        TxnLog.PessimisticLockResolved(_logger, lockInfo.TxnId);
    }
}
