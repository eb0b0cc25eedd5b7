using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// The writes one command accumulates (TiKV's MvccTxn): a storage batch plus what must happen after it is
/// applied — locks released (to wake waiters) and memory locks to withdraw. Pending lock changes are visible
/// to later keys of the same command, like TiKV's get_pending_lock_bytes.
/// </summary>
internal sealed class MvccTxn
{
    // Most commands touch a handful of keys: a short list beats a dictionary until it grows. The first pending lock
    // and the first released lock live in fields, so a single-key command allocates no list for them.
    private const int PendingListLimit = 8;

    // A batch array larger than this is not kept for reuse.
    private const int MaxCachedBatchCapacity = 64;

    // One reusable state per thread for the single-request hot paths (prewrite, commit): see Rent.
    [ThreadStatic]
    private static MvccTxn? s_cached;

    private byte[]? _firstPendingKey;
    private LockRecord? _firstPendingLock;
    private List<KeyValuePair<byte[], LockRecord?>>? _pendingList;
    private Dictionary<byte[], LockRecord?>? _pendingLocks;
    private ReleasedLock _firstReleased;
    private List<ReleasedLock>? _moreReleased;

    /// <summary>Creates the command's state; <paramref name="expectedWrites"/> presizes the batch.</summary>
    public MvccTxn(ulong startTs, int expectedWrites = 4)
    {
        StartTs = startTs;
        Batch = new WriteBatch(Math.Max(expectedWrites, 1));
    }

    /// <summary>
    /// A cleared command state for <paramref name="startTs"/>, reused from this thread when one was returned. Only a
    /// command that hands it back with <see cref="Return"/> after its batch was applied should rent: nothing may
    /// hold the state afterwards (engines do not keep a batch once its write completed).
    /// </summary>
    public static MvccTxn Rent(ulong startTs, int expectedWrites)
    {
        var txn = s_cached;
        if (txn is null)
        {
            return new MvccTxn(startTs, expectedWrites);
        }

        s_cached = null;
        txn.StartTs = startTs;
        txn.Batch.EnsureCapacity(expectedWrites);
        return txn;
    }

    /// <summary>Clears the state and keeps it for the next <see cref="Rent"/> on this thread.</summary>
    public void Return()
    {
        Clear();
        MemoryLocks?.Clear();
        if (Batch.Capacity <= MaxCachedBatchCapacity)
        {
            s_cached = this;
        }
    }

    /// <summary>The transaction being operated on; ResolveLock switches it per lock.</summary>
    public ulong StartTs { get; set; }

    public WriteBatch Batch { get; }

    /// <summary>Number of locks this command removed (see <see cref="ReleasedAt"/>).</summary>
    public int ReleasedCount { get; private set; }

    public List<MemoryLock>? MemoryLocks { get; private set; }

    public List<OnePcLock>? OnePcLocks { get; private set; }

    public bool IsEmpty => Batch.IsEmpty;

    /// <summary>The <paramref name="index"/>-th lock removed, in order.</summary>
    public ReleasedLock ReleasedAt(int index) => index == 0 ? _firstReleased : _moreReleased![index - 1];

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

        if (_firstPendingKey is not null && _firstPendingKey.AsSpan().SequenceEqual(encodedKey))
        {
            lockRecord = _firstPendingLock;
            return true;
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
        var released = new ReleasedLock(encodedKey, StartTs, commitTs);
        if (ReleasedCount == 0)
        {
            _firstReleased = released;
        }
        else
        {
            (_moreReleased ??= []).Add(released);
        }

        ReleasedCount++;
    }

    private void SetPending(byte[] encodedKey, LockRecord? lockRecord)
    {
        if (_pendingLocks is null)
        {
            if (_firstPendingKey is null || (_pendingList is null && _firstPendingKey.AsSpan().SequenceEqual(encodedKey)))
            {
                _firstPendingKey = encodedKey;
                _firstPendingLock = lockRecord;
                return;
            }

            // Entries after the first, newest last (searched from the end, so the newest wins; the first entry is
            // only consulted when no later one matches).
            _pendingList ??= [];
            if (_pendingList.Count < PendingListLimit)
            {
                _pendingList.Add(new KeyValuePair<byte[], LockRecord?>(encodedKey, lockRecord));
                return;
            }

            _pendingLocks = new Dictionary<byte[], LockRecord?>(ByteKeyComparer.Instance)
            {
                [_firstPendingKey] = _firstPendingLock,
            };
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

    /// <summary>Stages an already encoded write record (see <see cref="WriteRecord.Encode"/>).</summary>
    public void PutWrite(byte[] encodedKey, ulong commitTs, byte[] writeBytes)
        => Batch.Put(ColumnFamily.Write, MvccKey.AppendTs(encodedKey, commitTs), writeBytes);

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
        _firstPendingKey = null;
        _firstPendingLock = null;
        _firstReleased = default;
        _moreReleased?.Clear();
        ReleasedCount = 0;
        OnePcLocks?.Clear();
    }
}
