using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>KvCheckTxnStatus on the primary key: committed, rolled back, expired (then rolled back), or alive.</summary>
    public async ValueTask<CheckTxnStatusResponse> CheckTxnStatusAsync(CheckTxnStatusRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CheckTxnStatusResponse();
        var newMaxTs = request.LockTs;
        if (request.CurrentTs != ulong.MaxValue && request.CurrentTs > newMaxTs)
        {
            newMaxTs = request.CurrentTs;
        }

        if (request.CallerStartTs != ulong.MaxValue && request.CallerStartTs > newMaxTs)
        {
            newMaxTs = request.CallerStartTs;
        }

        _concurrency.UpdateMaxTs(newMaxTs);
        var encoded = MvccKey.Encode(request.PrimaryKey.Span);
        using var latch = await LatchAsync(encoded, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.LockTs);
        TxnStatus status;
        try
        {
            var lockRecord = _reader.LoadLock(encoded);
            status = lockRecord is not null && lockRecord.StartTs == request.LockTs
                ? CheckTxnStatusLockExists(txn, encoded, request, lockRecord)
                : CheckTxnStatusMissingLock(
                    txn,
                    encoded,
                    request.PrimaryKey,
                    lockRecord,
                    request.RollbackIfNotExist ? MissingLockAction.ProtectedRollback : MissingLockAction.ReturnError,
                    request.ResolvingPessimisticLock);
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
            return response;
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        switch (status.Kind)
        {
            case TxnStatusKind.RolledBack:
                response.Action = Proto.Kvrpcpb.Action.NoAction;
                break;
            case TxnStatusKind.TtlExpire:
                response.Action = Proto.Kvrpcpb.Action.TtlexpireRollback;
                break;
            case TxnStatusKind.LockNotExist:
                response.Action = Proto.Kvrpcpb.Action.LockNotExistRollback;
                break;
            case TxnStatusKind.Committed:
                response.CommitVersion = status.CommitTs;
                break;
            case TxnStatusKind.PessimisticRollBack:
                response.Action = Proto.Kvrpcpb.Action.TtlexpirePessimisticRollback;
                break;
            case TxnStatusKind.LockNotExistDoNothing:
                response.Action = Proto.Kvrpcpb.Action.LockNotExistDoNothing;
                break;
            default:
                var alive = status.Lock!;
                if (status.MinCommitTsPushed)
                {
                    response.Action = Proto.Kvrpcpb.Action.MinCommitTspushed;
                }

                response.LockTtl = alive.Ttl;
                response.LockInfo = alive.ToLockInfo(UnsafeByteOperations.UnsafeWrap(alive.Primary));
                break;
        }

        return response;
    }

    /// <summary>TiKV's check_txn_status_lock_exists.</summary>
    private TxnStatus CheckTxnStatusLockExists(MvccTxn txn, byte[] encoded, CheckTxnStatusRequest request, LockRecord lockRecord)
    {
        var rawKey = request.PrimaryKey;
        if (request.VerifyIsPrimary && !rawKey.Span.SequenceEqual(lockRecord.Primary.Span))
        {
            if (!request.ResolvingPessimisticLock && lockRecord.IsPessimistic)
            {
                // A pessimistic lock whose primary is elsewhere is stale here: drop it, then judge as if missing.
                var missing = CheckTxnStatusMissingLock(
                    txn,
                    encoded,
                    rawKey,
                    null,
                    request.RollbackIfNotExist ? MissingLockAction.ProtectedRollback : MissingLockAction.ReturnError,
                    resolvingPessimisticLock: false);
                txn.UnlockKey(encoded, 0);
                return missing;
            }

            throw MvccErrors.PrimaryMismatch(lockRecord.ToLockInfo(rawKey));
        }

        // An async-commit transaction's fate is decided by all its locks (CheckSecondaryLocks), not by a TTL.
        if (lockRecord.UseAsyncCommit && !request.ForceSyncCommit)
        {
            return new TxnStatus(TxnStatusKind.Uncommitted, Lock: lockRecord);
        }

        var expired = Physical(lockRecord.StartTs) + lockRecord.Ttl < Physical(request.CurrentTs);
        if (lockRecord.IsPessimistic)
        {
            if (lockRecord.IsLockedWithConflict)
            {
                var record = _reader.GetTxnCommitRecord(encoded, txn.StartTs);
                if (record.Kind != TxnCommitRecordKind.None)
                {
                    txn.UnlockKey(encoded, 0);
                    return record.IsCommitted
                        ? new TxnStatus(TxnStatusKind.Committed, record.CommitTs)
                        : new TxnStatus(TxnStatusKind.RolledBack);
                }
            }

            if (expired)
            {
                if (request.ResolvingPessimisticLock)
                {
                    txn.UnlockKey(encoded, 0);
                    return new TxnStatus(TxnStatusKind.PessimisticRollBack);
                }

                RollbackLock(txn, encoded, rawKey, lockRecord, collapseRollback: true);
                return new TxnStatus(TxnStatusKind.TtlExpire);
            }
        }
        else if (expired)
        {
            RollbackLock(txn, encoded, rawKey, lockRecord, collapseRollback: true);
            return new TxnStatus(TxnStatusKind.TtlExpire);
        }

        var callerStartTs = request.CallerStartTs;
        if (lockRecord.MinCommitTs != 0 && callerStartTs != ulong.MaxValue && callerStartTs >= lockRecord.MinCommitTs)
        {
            // Push min_commit_ts past the reader so it need not wait for this transaction.
            lockRecord.MinCommitTs = Math.Max(callerStartTs + 1, request.CurrentTs);
            txn.PutLock(encoded, lockRecord);
        }

        var pushed = (callerStartTs != 0 && lockRecord.MinCommitTs > callerStartTs) || callerStartTs == ulong.MaxValue;
        return new TxnStatus(TxnStatusKind.Uncommitted, Lock: lockRecord, MinCommitTsPushed: pushed);
    }

    /// <summary>KvTxnHeartBeat: extends the primary lock's TTL (never shortens it).</summary>
    public async ValueTask<TxnHeartBeatResponse> TxnHeartBeatAsync(TxnHeartBeatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new TxnHeartBeatResponse();
        var encoded = MvccKey.Encode(request.PrimaryLock.Span);
        using var latch = await LatchAsync(encoded, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.StartVersion);
        var lockRecord = _reader.LoadLock(encoded);
        if (lockRecord is null || lockRecord.StartTs != request.StartVersion)
        {
            response.Error = MvccErrors.TxnNotFound(request.StartVersion, request.PrimaryLock).KeyError;
            return response;
        }

        if (lockRecord.Ttl < request.AdviseLockTtl)
        {
            lockRecord.Ttl = request.AdviseLockTtl;
            txn.PutLock(encoded, lockRecord);
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        response.LockTtl = lockRecord.Ttl;
        return response;
    }

    /// <summary>
    /// KvCheckSecondaryLocks: for async-commit recovery. Returns the locks if all keys are still locked by the
    /// transaction, its commit_ts if any key committed, or nothing if any key rolled back — writing a protected
    /// rollback on keys that have neither lock nor record, so a late prewrite cannot succeed.
    /// </summary>
    public async ValueTask<CheckSecondaryLocksResponse> CheckSecondaryLocksAsync(CheckSecondaryLocksRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CheckSecondaryLocksResponse();
        _concurrency.UpdateMaxTs(request.StartVersion);
        var encodedKeys = EncodeKeys(request.Keys);
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.StartVersion);
        var locks = new List<LockInfo>();
        ulong committedTs = 0;
        var rolledBack = false;
        for (var i = 0; i < encodedKeys.Length && committedTs == 0 && !rolledBack; i++)
        {
            var encoded = encodedKeys[i];
            var rawKey = request.Keys[i];
            var lockRecord = _reader.LoadLock(txn, encoded);
            TxnCommitRecord record = default;
            var needRollback = false;
            LockRecord? mismatch = null;
            if (lockRecord is not null && lockRecord.StartTs == request.StartVersion)
            {
                if (!lockRecord.IsPessimistic)
                {
                    locks.Add(lockRecord.ToLockInfo(rawKey));
                    continue;
                }

                // Only pessimistically locked: the prewrite never reached this key, so the transaction cannot commit.
                txn.UnlockKey(encoded, 0);
                record = _reader.GetTxnCommitRecord(encoded, request.StartVersion);
                if (lockRecord.IsLockedWithConflict && record.IsCommitted)
                {
                    // TiKV's check_status_from_lock: a lock taken in force-lock mode can be a stale request arriving
                    // after the transaction finished; its commit record decides, and the stale lock just goes.
                    committedTs = record.CommitTs;
                    continue;
                }

                rolledBack = true;
                needRollback = record.Kind == TxnCommitRecordKind.None;
            }
            else
            {
                mismatch = lockRecord;
                record = _reader.GetTxnCommitRecord(encoded, request.StartVersion);
                if (record.IsCommitted)
                {
                    committedTs = record.CommitTs;
                }
                else
                {
                    rolledBack = true;
                    needRollback = record.Kind == TxnCommitRecordKind.None;
                }
            }

            if (needRollback)
            {
                if (mismatch is not null)
                {
                    txn.MarkRollbackOnMismatchingLock(encoded, mismatch, isProtected: true);
                }

                if (MakeRollback(request.StartVersion, isProtected: true, record) is { } write)
                {
                    txn.PutWrite(encoded, request.StartVersion, write);
                    CollapsePrevRollback(txn, encoded);
                }
            }
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        if (committedTs != 0)
        {
            response.CommitTs = committedTs;
        }
        else if (!rolledBack)
        {
            response.Locks.AddRange(locks);
        }

        return response;
    }
}
