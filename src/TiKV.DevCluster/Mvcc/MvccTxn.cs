using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// The writes one command accumulates (TiKV's MvccTxn): a storage batch plus what must happen after it is
/// applied — locks released (to wake waiters) and memory locks to withdraw. Pending lock changes are visible
/// to later keys of the same command, like TiKV's get_pending_lock_bytes.
/// </summary>
internal sealed class MvccTxn
{
    private Dictionary<byte[], LockRecord?>? _pendingLocks;

    public MvccTxn(ulong startTs)
    {
        StartTs = startTs;
    }

    /// <summary>The transaction being operated on; ResolveLock switches it per lock.</summary>
    public ulong StartTs { get; set; }

    public WriteBatch Batch { get; } = new();

    public List<ReleasedLock>? Released { get; private set; }

    public List<MemoryLock>? MemoryLocks { get; private set; }

    public List<OnePcLock>? OnePcLocks { get; private set; }

    public bool IsEmpty => Batch.IsEmpty;

    /// <summary>Whether this command already put or removed the lock of <paramref name="encodedKey"/>.</summary>
    public bool TryGetPendingLock(byte[] encodedKey, out LockRecord? lockRecord)
    {
        if (_pendingLocks is not null && _pendingLocks.TryGetValue(encodedKey, out lockRecord))
        {
            return true;
        }

        lockRecord = null;
        return false;
    }

    public void PutLock(byte[] encodedKey, LockRecord lockRecord)
    {
        Batch.Put(ColumnFamily.Lock, encodedKey, lockRecord.ToBytes());
        (_pendingLocks ??= new Dictionary<byte[], LockRecord?>(ByteKeyComparer.Instance))[encodedKey] = lockRecord;
    }

    public void UnlockKey(byte[] encodedKey, ulong commitTs)
    {
        Batch.Delete(ColumnFamily.Lock, encodedKey);
        (_pendingLocks ??= new Dictionary<byte[], LockRecord?>(ByteKeyComparer.Instance))[encodedKey] = null;
        (Released ??= []).Add(new ReleasedLock(encodedKey, StartTs, commitTs));
    }

    public void PutValue(byte[] encodedKey, ulong startTs, byte[] value)
        => Batch.Put(ColumnFamily.Default, MvccKey.AppendTs(encodedKey, startTs), value);

    public void DeleteValue(byte[] encodedKey, ulong startTs)
        => Batch.Delete(ColumnFamily.Default, MvccKey.AppendTs(encodedKey, startTs));

    public void PutWrite(byte[] encodedKey, ulong commitTs, WriteRecord write)
        => Batch.Put(ColumnFamily.Write, MvccKey.AppendTs(encodedKey, commitTs), write.ToBytes());

    public void DeleteWrite(byte[] encodedKey, ulong commitTs)
        => Batch.Delete(ColumnFamily.Write, MvccKey.AppendTs(encodedKey, commitTs));

    public void AddMemoryLock(MemoryLock memoryLock) => (MemoryLocks ??= []).Add(memoryLock);

    public void AddOnePcLock(OnePcLock onePcLock) => (OnePcLocks ??= []).Add(onePcLock);

    /// <summary>
    /// TiKV's mark_rollback_on_mismatching_lock: rolling back transaction StartTs on a key locked by another
    /// async-commit transaction records StartTs in that lock, so a commit of the other transaction at exactly
    /// this timestamp still marks the rollback (overlapped rollback).
    /// </summary>
    public void MarkRollbackOnMismatchingLock(byte[] encodedKey, LockRecord other, bool isProtected)
    {
        if (!isProtected || StartTs < other.MinCommitTs || !other.UseAsyncCommit)
        {
            return;
        }

        var updated = other.Clone();
        (updated.RollbackTs ??= []).Add(StartTs);
        PutLock(encodedKey, updated);
    }

    /// <summary>Drops everything accumulated (a command that fails writes nothing).</summary>
    public void Clear()
    {
        Batch.Clear();
        _pendingLocks?.Clear();
        Released?.Clear();
        OnePcLocks?.Clear();
    }
}
