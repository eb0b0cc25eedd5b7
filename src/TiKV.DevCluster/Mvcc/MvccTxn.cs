using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// The writes one command accumulates (TiKV's MvccTxn): a storage batch plus what must happen after it is
/// applied — locks released (to wake waiters) and memory locks to withdraw. Pending lock changes are visible
/// to later keys of the same command, like TiKV's get_pending_lock_bytes.
/// </summary>
internal sealed class MvccTxn
{
    // Most commands touch a handful of keys: a short list beats a dictionary until it grows.
    private const int PendingListLimit = 8;
    private List<KeyValuePair<byte[], LockRecord?>>? _pendingList;
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
        if (_pendingLocks is not null)
        {
            return _pendingLocks.TryGetValue(encodedKey, out lockRecord);
        }

        if (_pendingList is not null)
        {
            for (var i = _pendingList.Count - 1; i >= 0; i--)
            {
                if (_pendingList[i].Key.AsSpan().SequenceEqual(encodedKey))
                {
                    lockRecord = _pendingList[i].Value;
                    return true;
                }
            }
        }

        lockRecord = null;
        return false;
    }

    public void PutLock(byte[] encodedKey, LockRecord lockRecord)
    {
        Batch.Put(ColumnFamily.Lock, encodedKey, lockRecord.ToBytes());
        SetPending(encodedKey, lockRecord);
    }

    public void UnlockKey(byte[] encodedKey, ulong commitTs)
    {
        Batch.Delete(ColumnFamily.Lock, encodedKey);
        SetPending(encodedKey, null);
        (Released ??= []).Add(new ReleasedLock(encodedKey, StartTs, commitTs));
    }

    private void SetPending(byte[] encodedKey, LockRecord? lockRecord)
    {
        if (_pendingLocks is null)
        {
            _pendingList ??= [];
            if (_pendingList.Count < PendingListLimit)
            {
                // Newest entry wins on lookup (searched from the end).
                _pendingList.Add(new KeyValuePair<byte[], LockRecord?>(encodedKey, lockRecord));
                return;
            }

            _pendingLocks = new Dictionary<byte[], LockRecord?>(ByteKeyComparer.Instance);
            foreach (var (key, value) in _pendingList)
            {
                _pendingLocks[key] = value;
            }

            _pendingList = null;
        }

        _pendingLocks[encodedKey] = lockRecord;
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
        _pendingLocks = null;
        _pendingList = null;
        Released?.Clear();
        OnePcLocks?.Clear();
    }
}
