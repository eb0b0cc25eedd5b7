using Google.Protobuf;
using Google.Protobuf.Collections;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>KvCommit: turns the transaction's locks on the keys into write records at commit_version.</summary>
    public async ValueTask<CommitResponse> CommitAsync(CommitRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CommitResponse();
        if (request.CommitVersion <= request.StartVersion)
        {
            response.Error = MvccErrors.InvalidTxnTso(request.StartVersion, request.CommitVersion).KeyError;
            return response;
        }

        var encodedKeys = EncodeKeys(request.Keys);
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = MvccTxn.Rent(request.StartVersion, 2 * encodedKeys.Length);
        try
        {
            for (var i = 0; i < encodedKeys.Length; i++)
            {
                CommitKey(txn, encodedKeys[i], request.Keys[i], request.CommitVersion, request.CommitRole);
            }
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
            return response;
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        txn.Return();
        response.CommitVersion = request.CommitVersion;
        return response;
    }

    /// <summary>KvCleanup: rolls back one key of a transaction whose lock expired (by current_ts) or is gone.</summary>
    public async ValueTask<CleanupResponse> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new CleanupResponse();
        _concurrency.UpdateMaxTs(request.StartVersion);
        var encoded = MvccKey.Encode(request.Key.Span);
        using var latch = await LatchAsync(encoded, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.StartVersion);
        try
        {
            CleanupKey(txn, encoded, request.Key, request.CurrentTs, protectRollback: true);
        }
        catch (MvccException ex) when (ex.Kind == MvccErrorKind.Committed)
        {
            response.CommitVersion = ex.CommitTs;
            return response;
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
            return response;
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        return response;
    }

    /// <summary>KvBatchRollback: rolls back the transaction on the keys; refused for a key where it committed.</summary>
    public async ValueTask<BatchRollbackResponse> BatchRollbackAsync(BatchRollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new BatchRollbackResponse();
        var encodedKeys = EncodeKeys(request.Keys);
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.StartVersion, 2 * encodedKeys.Length);
        try
        {
            for (var i = 0; i < encodedKeys.Length; i++)
            {
                CleanupKey(txn, encodedKeys[i], request.Keys[i], 0, protectRollback: false);
            }
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
            return response;
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        return response;
    }

    private static byte[][] EncodeKeys(RepeatedField<ByteString> keys)
    {
        var encoded = new byte[keys.Count][];
        for (var i = 0; i < encoded.Length; i++)
        {
            encoded[i] = MvccKey.Encode(keys[i].Span);
        }

        return encoded;
    }

    /// <summary>TiKV's commit action.</summary>
    private void CommitKey(MvccTxn txn, byte[] encodedKey, ByteString rawKey, ulong commitTs, CommitRole role)
    {
        var lockRecord = _reader.LoadLock(txn, encodedKey);
        if (lockRecord is null || lockRecord.StartTs != txn.StartTs)
        {
            // Committed already (a retry) is fine; rolled back or never prewritten is not.
            var record = _reader.GetTxnCommitRecord(encodedKey, txn.StartTs);
            if (record.IsCommitted)
            {
                return;
            }

            throw MvccErrors.TxnLockNotFound(txn.StartTs, commitTs, rawKey);
        }

        if (commitTs < lockRecord.MinCommitTs)
        {
            throw MvccErrors.CommitTsExpired(txn.StartTs, commitTs, rawKey, lockRecord.MinCommitTs);
        }

        if (lockRecord.IsPessimistic)
        {
            // A pessimistic lock that was never prewritten has nothing to commit; TiKV just removes it.
            txn.UnlockKey(encodedKey, 0);
            return;
        }

        var kind = lockRecord.Kind switch
        {
            LockKind.Put => WriteKind.Put,
            LockKind.Delete => WriteKind.Delete,
            _ => WriteKind.Lock,
        };
        var overlapped = lockRecord.RollbackTs is { } rollbackTs && rollbackTs.Contains(commitTs);
        txn.PutWrite(encodedKey, commitTs, WriteRecord.Encode(kind, txn.StartTs, lockRecord.ShortValue, overlapped));
        txn.UnlockKey(encodedKey, commitTs);
    }

    /// <summary>TiKV's cleanup action (used by Cleanup, BatchRollback and ResolveLock rollback).</summary>
    private void CleanupKey(MvccTxn txn, byte[] encodedKey, ByteString rawKey, ulong currentTs, bool protectRollback)
    {
        var lockRecord = _reader.LoadLock(txn, encodedKey);
        if (lockRecord is not null && lockRecord.StartTs == txn.StartTs)
        {
            if (currentTs != 0 && Physical(lockRecord.StartTs) + lockRecord.Ttl >= Physical(currentTs))
            {
                throw MvccErrors.KeyIsLocked(lockRecord, rawKey);
            }

            RollbackLock(txn, encodedKey, rawKey, lockRecord, collapseRollback: !protectRollback);
            return;
        }

        var status = CheckTxnStatusMissingLock(
            txn,
            encodedKey,
            rawKey,
            lockRecord,
            protectRollback ? MissingLockAction.ProtectedRollback : MissingLockAction.Rollback,
            resolvingPessimisticLock: false);
        if (status.Kind == TxnStatusKind.Committed)
        {
            throw MvccErrors.Committed(txn.StartTs, status.CommitTs, rawKey);
        }
    }

    /// <summary>TiKV's rollback_lock: removes the lock and its value, and leaves a rollback record.</summary>
    private void RollbackLock(MvccTxn txn, byte[] encodedKey, ByteString rawKey, LockRecord lockRecord, bool collapseRollback)
    {
        var record = _reader.GetTxnCommitRecord(encodedKey, txn.StartTs);
        if (record.Kind != TxnCommitRecordKind.None)
        {
            if (record.IsCommitted)
            {
                throw MvccErrors.BadRequest($"inconsistent data: transaction {txn.StartTs} has both a lock and a commit record at key {Convert.ToHexString(rawKey.Span)}");
            }

            txn.UnlockKey(encodedKey, 0);
            return;
        }

        if (lockRecord.ShortValue is null && lockRecord.Kind == LockKind.Put)
        {
            txn.DeleteValue(encodedKey, lockRecord.StartTs);
        }

        // The primary's rollback must survive: it is what tells late secondaries and resolvers the outcome.
        var isProtected = rawKey.Span.SequenceEqual(lockRecord.Primary.Span);
        if (MakeRollback(txn.StartTs, isProtected, record) is { } write)
        {
            txn.PutWrite(encodedKey, txn.StartTs, write);
        }

        if (collapseRollback)
        {
            CollapsePrevRollback(txn, encodedKey);
        }

        txn.UnlockKey(encodedKey, 0);
    }

    /// <summary>TiKV's make_rollback: a rollback record, or the overlapping commit record marked with the rollback.</summary>
    private static WriteRecord? MakeRollback(ulong startTs, bool isProtected, TxnCommitRecord record)
    {
        if (record.OverlappedWrite is { } overlapped)
        {
            return isProtected ? overlapped.WithOverlappedRollback(record.OverlappedGcFence) : null;
        }

        return WriteRecord.Rollback(startTs, isProtected);
    }

    /// <summary>TiKV's collapse_prev_rollback: an older unprotected rollback record right below is redundant.</summary>
    private void CollapsePrevRollback(MvccTxn txn, byte[] encodedKey)
    {
        if (_reader.SeekWrite(encodedKey, txn.StartTs, out var commitTs, out var write)
            && write!.Kind == WriteKind.Rollback && !write.IsProtected)
        {
            txn.DeleteWrite(encodedKey, commitTs);
        }
    }

    /// <summary>TiKV's check_txn_status_missing_lock.</summary>
    private TxnStatus CheckTxnStatusMissingLock(
        MvccTxn txn,
        byte[] encodedKey,
        ByteString rawKey,
        LockRecord? mismatchLock,
        MissingLockAction action,
        bool resolvingPessimisticLock)
    {
        var record = _reader.GetTxnCommitRecord(encodedKey, txn.StartTs);
        switch (record.Kind)
        {
            case TxnCommitRecordKind.SingleRecord:
                return record.Write!.Kind == WriteKind.Rollback
                    ? new TxnStatus(TxnStatusKind.RolledBack)
                    : new TxnStatus(TxnStatusKind.Committed, record.CommitTs);
            case TxnCommitRecordKind.OverlappedRollback:
                return new TxnStatus(TxnStatusKind.RolledBack);
        }

        if (action == MissingLockAction.ReturnError)
        {
            throw MvccErrors.TxnNotFound(txn.StartTs, rawKey);
        }

        if (resolvingPessimisticLock)
        {
            return new TxnStatus(TxnStatusKind.LockNotExistDoNothing);
        }

        if (action == MissingLockAction.Rollback)
        {
            CollapsePrevRollback(txn, encodedKey);
        }

        if (mismatchLock is not null && record.OverlappedWrite is null)
        {
            txn.MarkRollbackOnMismatchingLock(encodedKey, mismatchLock, action == MissingLockAction.ProtectedRollback);
        }

        if (MakeRollback(txn.StartTs, action == MissingLockAction.ProtectedRollback, record) is { } write)
        {
            txn.PutWrite(encodedKey, txn.StartTs, write);
        }

        return new TxnStatus(TxnStatusKind.LockNotExist);
    }
}
