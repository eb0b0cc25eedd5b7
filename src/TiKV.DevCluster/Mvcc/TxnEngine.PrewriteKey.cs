using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    private const int ShortValueMaxLength = 255;

    private enum LockStatus
    {
        None,
        Locked,
        Pessimistic,
    }

    /// <summary>TiKV's prewrite action for one key; returns the key's min_commit_ts (0 when not async/1PC).</summary>
    private ulong PrewriteKey(PrewriteContext props, PrewriteMutation mutation, MvccTxn txn)
    {
        if (mutation.ShouldNotExist)
        {
            _concurrency.UpdateMaxTs(props.StartTs);
        }

        var status = LockStatus.None;
        ulong statusTs = 0;
        var lockAmended = false;
        var existing = _reader.LoadLock(txn, mutation.EncodedKey);
        if (existing is not null)
        {
            status = CheckPrewriteLock(props, mutation, existing, out statusTs);
        }
        else if (mutation.PessimisticAction == PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck)
        {
            AmendPessimisticLock(props, mutation);
            lockAmended = true;
        }

        if (status == LockStatus.Locked)
        {
            // Duplicate prewrite of this transaction: nothing to do.
            return statusTs;
        }

        WriteRecord? previous = null;
        ulong previousCommitTs = 0;
        var previousLoaded = false;
        if (!SkipConstraintCheck(props, mutation))
        {
            previousLoaded = true;
            CheckForNewerVersion(props, mutation, out previous, out previousCommitTs);
        }

        if (!lockAmended)
        {
            CheckAssertion(props, mutation, previous, previousCommitTs, previousLoaded);
        }

        if (mutation.ShouldNotWrite)
        {
            _concurrency.UpdateMaxTs(props.StartTs);
            return props.NeedsMinCommitTs ? Math.Max(props.MinCommitTs, props.StartTs + 1) : 0;
        }

        return WritePrewriteLock(props, mutation, txn, status, statusTs);
    }

    private static LockStatus CheckPrewriteLock(PrewriteContext props, PrewriteMutation mutation, LockRecord lockRecord, out ulong ts)
    {
        ts = 0;
        if (lockRecord.StartTs != props.StartTs)
        {
            if (mutation.PessimisticAction == PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck)
            {
                throw MvccErrors.PessimisticLockNotFound(props.StartTs, mutation.RawKey, "LockTsMismatch");
            }

            var info = lockRecord.ToLockInfo(mutation.RawKey);
            if (props.IsPessimistic)
            {
                // A pessimistic transaction should not resolve others' locks during prewrite; TiKV hides the TTL.
                info.LockTtl = 0;
            }

            throw MvccErrors.KeyIsLocked(info);
        }

        if (lockRecord.IsPessimistic)
        {
            if (!props.IsPessimistic)
            {
                throw MvccErrors.LockTypeNotMatch(props.StartTs, mutation.RawKey, pessimistic: true);
            }

            if (mutation.ExpectedForUpdateTs is { } expected && lockRecord.ForUpdateTs != expected)
            {
                throw MvccErrors.PessimisticLockNotFound(props.StartTs, mutation.RawKey, "LockForUpdateTsMismatch");
            }

            mutation.LockTtl = Math.Max(mutation.LockTtl, lockRecord.Ttl);
            mutation.MinCommitTs = Math.Max(mutation.MinCommitTs, lockRecord.MinCommitTs);
            ts = lockRecord.ForUpdateTs;
            return LockStatus.Pessimistic;
        }

        ts = lockRecord.UseAsyncCommit ? lockRecord.MinCommitTs : 0;
        return LockStatus.Locked;
    }

    /// <summary>TiKV's amend_pessimistic_lock: a missing pessimistic lock is acceptable if nothing committed since start_ts.</summary>
    private void AmendPessimisticLock(PrewriteContext props, PrewriteMutation mutation)
    {
        var found = _reader.SeekWrite(mutation.EncodedKey, ulong.MaxValue, out var commitTs, out var write);
        if (found && commitTs >= props.StartTs)
        {
            throw MvccErrors.PessimisticLockNotFound(props.StartTs, mutation.RawKey, "LockMissingAmendFail");
        }

        CheckAssertion(props, mutation, found ? write : null, commitTs, loaded: true);
    }

    private static bool SkipConstraintCheck(PrewriteContext props, PrewriteMutation mutation)
    {
        if (!props.IsPessimistic)
        {
            return props.SkipConstraintCheck;
        }

        return mutation.PessimisticAction switch
        {
            PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck => true,
            PrewriteRequest.Types.PessimisticAction.SkipPessimisticCheck => !props.IsRetryRequest,
            _ => false,
        };
    }

    /// <summary>
    /// TiKV's check_for_newer_version: a rollback of this transaction means it must not prewrite; in optimistic mode a
    /// commit after start_ts is a write conflict; in pessimistic mode one after for_update_ts means the lock was lost.
    /// </summary>
    private void CheckForNewerVersion(PrewriteContext props, PrewriteMutation mutation, out WriteRecord? previous, out ulong previousCommitTs)
    {
        var seekTs = ulong.MaxValue;
        while (_reader.SeekWrite(mutation.EncodedKey, seekTs, out var commitTs, out var write))
        {
            if (commitTs == props.StartTs && (write!.Kind == WriteKind.Rollback || write.HasOverlappedRollback))
            {
                throw MvccErrors.WriteConflict(props.StartTs, write.StartTs, commitTs, mutation.RawKey, props.Primary, WriteConflict.Types.Reason.SelfRolledBack);
            }

            if (!props.IsPessimistic)
            {
                if (commitTs > props.StartTs)
                {
                    throw MvccErrors.WriteConflict(props.StartTs, write!.StartTs, commitTs, mutation.RawKey, props.Primary, WriteConflict.Types.Reason.Optimistic);
                }
            }
            else
            {
                if (mutation.PessimisticAction == PrewriteRequest.Types.PessimisticAction.DoConstraintCheck && commitTs > props.StartTs)
                {
                    throw MvccErrors.WriteConflict(props.StartTs, write!.StartTs, commitTs, mutation.RawKey, props.Primary, WriteConflict.Types.Reason.LazyUniquenessCheck);
                }

                if (commitTs > props.ForUpdateTs)
                {
                    if (write!.Kind == WriteKind.Rollback && commitTs > 0)
                    {
                        seekTs = commitTs - 1;
                        continue;
                    }

                    throw MvccErrors.PessimisticLockNotFound(props.StartTs, mutation.RawKey, "NonLockKeyConflict");
                }
            }

            CheckDataConstraint(mutation.ShouldNotExist, write!, commitTs, mutation.EncodedKey, mutation.RawKey, props.StartTs);
            previous = write;
            previousCommitTs = commitTs;
            return;
        }

        previous = null;
        previousCommitTs = 0;
    }

    /// <summary>TiKV's check_data_constraint: AlreadyExist when the newest record (or the data under a Lock/Rollback) is a Put.</summary>
    private void CheckDataConstraint(bool shouldNotExist, WriteRecord write, ulong commitTs, byte[] encodedKey, ByteString rawKey, ulong startTs)
    {
        if (!shouldNotExist || write.Kind == WriteKind.Delete || write.GcFence is > 0)
        {
            return;
        }

        var exists = write.Kind == WriteKind.Put
            || (commitTs > 0 && _reader.GetWrite(encodedKey, commitTs - 1, startTs, out _, out _));
        if (exists)
        {
            throw MvccErrors.AlreadyExist(rawKey);
        }
    }

    /// <summary>TiKV's check_assertion (assertion levels Fast and Strict).</summary>
    private void CheckAssertion(PrewriteContext props, PrewriteMutation mutation, WriteRecord? write, ulong commitTs, bool loaded)
    {
        if (mutation.Assertion == Assertion.None || props.AssertionLevel == AssertionLevel.Off)
        {
            return;
        }

        if (props.AssertionLevel != AssertionLevel.Strict && !loaded)
        {
            return;
        }

        if (loaded && write?.GcFence is > 0)
        {
            write = null;
        }

        if (!loaded || (write is not null && write.Kind is not (WriteKind.Put or WriteKind.Delete)))
        {
            var reloadTs = write is null ? ulong.MaxValue : commitTs;
            if (!_reader.GetWrite(mutation.EncodedKey, reloadTs, props.StartTs, out write, out commitTs))
            {
                write = null;
            }
        }

        var failed = mutation.Assertion switch
        {
            Assertion.Exist => write is null || write.Kind == WriteKind.Delete,
            Assertion.NotExist => write is not null && write.Kind == WriteKind.Put,
            _ => false,
        };
        if (!failed)
        {
            return;
        }

        if (SkipConstraintCheck(props, mutation))
        {
            // A write conflict explains the failed assertion better, so report it first.
            CheckForNewerVersion(props, mutation, out _, out _);
        }

        throw MvccErrors.AssertionFailed(props.StartTs, mutation.RawKey, mutation.Assertion, write?.StartTs ?? 0, write is null ? 0 : commitTs);
    }

    /// <summary>TiKV's write_lock: builds the lock, computes async-commit/1PC min_commit_ts, and stages it.</summary>
    private ulong WritePrewriteLock(PrewriteContext props, PrewriteMutation mutation, MvccTxn txn, LockStatus status, ulong statusTs)
    {
        var forUpdateTs = status == LockStatus.Pessimistic ? Math.Max(props.ForUpdateTs, statusTs) : props.ForUpdateTs;
        var lockRecord = new LockRecord(mutation.LockKind!.Value, props.Primary.Memory, props.StartTs, mutation.LockTtl)
        {
            ForUpdateTs = forUpdateTs,
            TxnSize = props.TxnSize,
            MinCommitTs = mutation.MinCommitTs,
        };
        if (mutation.Value is { } value && mutation.LockKind == LockKind.Put)
        {
            if (value.Length <= ShortValueMaxLength)
            {
                lockRecord.ShortValue = value.Memory;
            }
            else
            {
                txn.PutValue(mutation.EncodedKey, props.StartTs, value.ToByteArray());
            }
        }

        if (mutation.Secondaries is not null)
        {
            lockRecord.UseAsyncCommit = true;
            lockRecord.Secondaries = mutation.Secondaries;
        }
        else if (props.TryOnePc)
        {
            lockRecord.UseOnePc = true;
        }

        ulong finalMinCommitTs = 0;
        MvccException? tooLarge = null;
        if (lockRecord.UseAsyncCommit || props.TryOnePc)
        {
            try
            {
                finalMinCommitTs = AsyncCommitTimestamps(mutation, lockRecord, props, txn);
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.CommitTsTooLarge)
            {
                lockRecord.UseOnePc = false;
                lockRecord.UseAsyncCommit = false;
                lockRecord.Secondaries = null;
                tooLarge = ex;
            }
        }

        var removesPessimisticLock = status == LockStatus.Pessimistic;
        if (props.TryOnePc && tooLarge is null)
        {
            txn.AddOnePcLock(new OnePcLock(mutation.EncodedKey, lockRecord, removesPessimisticLock));
        }
        else
        {
            txn.PutLock(mutation.EncodedKey, lockRecord);
        }

        return tooLarge is null ? finalMinCommitTs : throw tooLarge;
    }

    /// <summary>
    /// TiKV's async_commit_timestamps: publish the lock in memory, then take min_commit_ts above every timestamp a
    /// read has used, so no snapshot already read can miss this commit.
    /// </summary>
    private ulong AsyncCommitTimestamps(PrewriteMutation mutation, LockRecord lockRecord, PrewriteContext props, MvccTxn txn)
    {
        var memoryLock = _concurrency.LockKey(mutation.EncodedKey, mutation.RawKey.ToByteArray());
        lock (memoryLock)
        {
            var maxTs = _concurrency.MaxTs;
            var minCommitTs = Math.Max(Math.Max(maxTs, props.StartTs), props.ForUpdateTs) + 1;
            minCommitTs = Math.Max(lockRecord.MinCommitTs, minCommitTs);
            if (props.MaxCommitTs != 0 && minCommitTs > props.MaxCommitTs)
            {
                _concurrency.Unlock(memoryLock);
                throw MvccErrors.CommitTsTooLarge(minCommitTs);
            }

            lockRecord.MinCommitTs = minCommitTs;
            memoryLock.Lock = lockRecord.Clone();
        }

        txn.AddMemoryLock(memoryLock);
        return lockRecord.MinCommitTs;
    }
}
