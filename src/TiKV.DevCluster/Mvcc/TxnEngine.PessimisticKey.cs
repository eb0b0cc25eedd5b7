using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    private async ValueTask<PessimisticAttempt> TryAcquirePessimisticLocksAsync(
        PessimisticLockRequest request,
        byte[][] encodedKeys,
        bool forceLock,
        TimeSpan remainingWait,
        CancellationToken cancellationToken)
    {
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.StartVersion, encodedKeys.Length);
        var primary = request.PrimaryLock.ToByteArray();
        var results = new List<PessimisticKeyResult>(encodedKeys.Length);
        for (var i = 0; i < encodedKeys.Length; i++)
        {
            var mutation = request.Mutations[i];
            try
            {
                results.Add(AcquirePessimisticLock(txn, request, primary, encodedKeys[i], mutation.Key, mutation.Assertion == Assertion.NotExist, forceLock));
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.KeyIsLocked)
            {
                // Nothing of this request is written; it waits on this key (while its latch is still held, so
                // the release cannot be missed) or reports the lock.
                txn.Clear();
                if (remainingWait <= TimeSpan.Zero)
                {
                    return new PessimisticAttempt { Error = ex.KeyError };
                }

                try
                {
                    var waiter = _lockWaits.Enqueue(encodedKeys[i], mutation.Key, request.StartVersion, ex.KeyError.Locked.LockVersion, remainingWait, resumable: forceLock);
                    return new PessimisticAttempt { Waiter = waiter, LockError = ex.KeyError };
                }
                catch (MvccException deadlock) when (deadlock.Kind == MvccErrorKind.Deadlock)
                {
                    return new PessimisticAttempt { Error = deadlock.KeyError };
                }
            }
            catch (MvccException ex)
            {
                return new PessimisticAttempt { Error = ex.KeyError };
            }
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        return new PessimisticAttempt { Results = results };
    }

    /// <summary>TiKV's acquire_pessimistic_lock action for one key.</summary>
    private PessimisticKeyResult AcquirePessimisticLock(
        MvccTxn txn,
        PessimisticLockRequest request,
        byte[] primary,
        byte[] encoded,
        ByteString rawKey,
        bool shouldNotExist,
        bool forceLock)
    {
        var startTs = request.StartVersion;
        var forUpdateTs = request.ForUpdateTs;
        var needValue = request.ReturnValues;
        var needCheckExistence = request.CheckExistence;
        if (shouldNotExist || needValue || needCheckExistence)
        {
            _concurrency.UpdateMaxTs(forUpdateTs);
        }

        var existing = _reader.LoadLock(txn, encoded);
        if (existing is not null)
        {
            return HandleExistingPessimisticLock(txn, request, primary, encoded, rawKey, shouldNotExist, forceLock, existing);
        }

        var needLoadValue = needValue;
        ulong conflictStartTs = 0;
        ulong conflictCommitTs = 0;
        ReadOnlyMemory<byte>? value = null;
        if (_reader.SeekWrite(encoded, ulong.MaxValue, out var commitTs, out var write))
        {
            if (commitTs > forUpdateTs)
            {
                if (!forceLock)
                {
                    throw MvccErrors.WriteConflict(startTs, write!.StartTs, commitTs, rawKey, request.PrimaryLock, WriteConflict.Types.Reason.PessimisticRetry);
                }

                conflictStartTs = write!.StartTs;
                conflictCommitTs = commitTs;
                forUpdateTs = commitTs;
                needLoadValue = true;
            }

            if (commitTs == startTs && (write!.Kind == WriteKind.Rollback || write.HasOverlappedRollback))
            {
                throw MvccErrors.PessimisticLockRolledBack(startTs, rawKey);
            }

            if (commitTs > startTs && _reader.SeekWrite(encoded, startTs, out var olderCommitTs, out var older)
                && olderCommitTs == startTs && (older!.Kind == WriteKind.Rollback || older.HasOverlappedRollback))
            {
                throw MvccErrors.PessimisticLockRolledBack(startTs, rawKey);
            }

            try
            {
                CheckDataConstraint(shouldNotExist, write!, commitTs, encoded, rawKey, startTs);
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.AlreadyExist && conflictCommitTs != 0)
            {
                throw MvccErrors.WriteConflict(startTs, conflictStartTs, conflictCommitTs, rawKey, request.PrimaryLock, WriteConflict.Types.Reason.PessimisticRetry);
            }

            if (needValue || needCheckExistence || conflictCommitTs != 0)
            {
                // Typed arms: a bare `null` would become an empty ReadOnlyMemory through the byte[] conversion.
                value = write!.Kind switch
                {
                    WriteKind.Put when write.IsValidAsLatestVersion(startTs) => needLoadValue ? _reader.LoadData(encoded, write) : ReadOnlyMemory<byte>.Empty,
                    WriteKind.Put or WriteKind.Delete => default(ReadOnlyMemory<byte>?),
                    _ => commitTs > 0 && _reader.GetWrite(encoded, commitTs - 1, startTs, out var data, out _)
                        ? (needLoadValue ? _reader.LoadData(encoded, data!) : ReadOnlyMemory<byte>.Empty)
                        : default(ReadOnlyMemory<byte>?),
                };
            }
        }

        if (!request.LockOnlyIfExists || value is not null)
        {
            txn.PutLock(encoded, new LockRecord(LockKind.Pessimistic, primary, startTs, request.LockTtl)
            {
                ForUpdateTs = forUpdateTs,
                MinCommitTs = request.MinCommitTs,
                IsLockedWithConflict = conflictCommitTs != 0,
            });
        }
        else if (conflictCommitTs != 0)
        {
            throw MvccErrors.WriteConflict(startTs, conflictStartTs, conflictCommitTs, rawKey, request.PrimaryLock, WriteConflict.Types.Reason.PessimisticRetry);
        }

        return new PessimisticKeyResult(value, value is not null, conflictCommitTs);
    }

    /// <summary>TiKV's handle_existing_exclusive_lock: re-locking a key this transaction already holds.</summary>
    private PessimisticKeyResult HandleExistingPessimisticLock(
        MvccTxn txn,
        PessimisticLockRequest request,
        byte[] primary,
        byte[] encoded,
        ByteString rawKey,
        bool shouldNotExist,
        bool forceLock,
        LockRecord existing)
    {
        var startTs = request.StartVersion;
        if (existing.StartTs != startTs)
        {
            throw MvccErrors.KeyIsLocked(existing, rawKey);
        }

        if (!existing.IsPessimistic)
        {
            throw MvccErrors.LockTypeNotMatch(startTs, rawKey, pessimistic: false);
        }

        var needLoadValue = request.ReturnValues;
        var requestedForUpdateTs = request.ForUpdateTs;
        var forUpdateTs = requestedForUpdateTs;
        ulong lockedWithConflictTs = 0;
        if (forceLock && forUpdateTs < existing.ForUpdateTs)
        {
            needLoadValue = true;
            forUpdateTs = existing.ForUpdateTs;
            lockedWithConflictTs = existing.ForUpdateTs;
        }

        ReadOnlyMemory<byte>? value = null;
        if ((needLoadValue || request.CheckExistence || shouldNotExist)
            && _reader.GetWrite(encoded, forUpdateTs, startTs, out var write, out var commitTs))
        {
            try
            {
                CheckDataConstraint(shouldNotExist, write!, commitTs, encoded, rawKey, startTs);
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.AlreadyExist && commitTs > requestedForUpdateTs)
            {
                throw MvccErrors.WriteConflict(startTs, write!.StartTs, commitTs, rawKey, request.PrimaryLock, WriteConflict.Types.Reason.PessimisticRetry);
            }

            if (needLoadValue)
            {
                value = _reader.LoadData(encoded, write!);
            }
            else if (request.CheckExistence)
            {
                value = ReadOnlyMemory<byte>.Empty;
            }
        }

        if (forUpdateTs > existing.ForUpdateTs)
        {
            txn.PutLock(encoded, new LockRecord(LockKind.Pessimistic, primary, startTs, request.LockTtl)
            {
                ForUpdateTs = forUpdateTs,
                MinCommitTs = request.MinCommitTs,
                IsLockedWithConflict = existing.IsLockedWithConflict,
            });
        }

        return new PessimisticKeyResult(value, value is not null, lockedWithConflictTs);
    }
}
