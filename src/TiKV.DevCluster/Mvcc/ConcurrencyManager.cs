using System.Collections.Concurrent;
using Google.Protobuf;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// TiKV's concurrency manager: max_ts, the largest timestamp any read has used, and the in-memory table of
/// async-commit/1PC locks not yet written. Async commit picks min_commit_ts = max(max_ts, start_ts, for_update_ts) + 1
/// so a commit can never land under a snapshot that has already been read.
/// </summary>
internal sealed class ConcurrencyManager
{
    private readonly ConcurrentDictionary<byte[], MemoryLock> _locks = new(ByteKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], MemoryLock>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private long _maxTs;
    private int _lockCount;

    public ConcurrencyManager()
    {
        _lookup = _locks.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public ulong MaxTs => (ulong)Volatile.Read(ref _maxTs);

    /// <summary>Raises max_ts; the maximum timestamp ("read latest") is ignored as TiKV does.</summary>
    public void UpdateMaxTs(ulong ts)
    {
        if (ts == ulong.MaxValue)
        {
            return;
        }

        var current = Volatile.Read(ref _maxTs);
        while ((ulong)current < ts)
        {
            var seen = Interlocked.CompareExchange(ref _maxTs, (long)ts, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Publishes an empty memory lock for <paramref name="encodedKey"/>; the caller holds the key's latch.</summary>
    public MemoryLock LockKey(byte[] encodedKey, byte[] rawKey)
    {
        var memoryLock = new MemoryLock(encodedKey, rawKey);
        _locks[encodedKey] = memoryLock;
        Interlocked.Increment(ref _lockCount);
        return memoryLock;
    }

    /// <summary>Withdraws a memory lock once its lock (or 1PC write) is in storage, or the prewrite failed.</summary>
    public void Unlock(MemoryLock memoryLock)
    {
        if (((ICollection<KeyValuePair<byte[], MemoryLock>>)_locks).Remove(new KeyValuePair<byte[], MemoryLock>(memoryLock.EncodedKey, memoryLock)))
        {
            Interlocked.Decrement(ref _lockCount);
        }
    }

    /// <summary>Throws the read's lock error (<see cref="LockConflict"/>) if a memory lock on the key blocks a read at <paramref name="readTs"/>. Call after <see cref="UpdateMaxTs"/>.</summary>
    public void CheckKey(ReadOnlySpan<byte> encodedKey, ulong readTs, IReadOnlyList<ulong>? bypassLocks, IsolationLevel isolation)
    {
        if (Volatile.Read(ref _lockCount) == 0 || !_lookup.TryGetValue(encodedKey, out var memoryLock))
        {
            return;
        }

        Check(memoryLock, readTs, bypassLocks, isolation);
    }

    /// <summary>Throws the read's lock error if a memory lock in [start, end) (encoded; empty end = unbounded) blocks the read.</summary>
    public void CheckRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, ulong readTs, IReadOnlyList<ulong>? bypassLocks, IsolationLevel isolation)
    {
        if (Volatile.Read(ref _lockCount) == 0)
        {
            return;
        }

        foreach (var entry in _locks)
        {
            var key = entry.Key;
            if (ByteKeyComparer.CompareKeys(key, start) >= 0 && (end.IsEmpty || ByteKeyComparer.CompareKeys(key, end) < 0))
            {
                Check(entry.Value, readTs, bypassLocks, isolation);
            }
        }
    }

    /// <summary>
    /// TiKV's scan_lock memory check: KeyIsLocked for the first memory lock in [start, end) (encoded; empty end =
    /// unbounded) with start_ts ≤ <paramref name="maxTs"/>. Unlike reads it counts every lock type: such a lock is
    /// about to be written and a lock scan (GC's resolve pass) must not miss it.
    /// </summary>
    public void CheckRangeForScanLock(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, ulong maxTs)
    {
        if (Volatile.Read(ref _lockCount) == 0)
        {
            return;
        }

        foreach (var entry in _locks)
        {
            var key = entry.Key;
            if (ByteKeyComparer.CompareKeys(key, start) < 0 || (!end.IsEmpty && ByteKeyComparer.CompareKeys(key, end) >= 0))
            {
                continue;
            }

            LockRecord? lockRecord;
            lock (entry.Value)
            {
                lockRecord = entry.Value.Lock;
            }

            if (lockRecord is not null && lockRecord.StartTs <= maxTs)
            {
                throw MvccErrors.KeyIsLocked(lockRecord, UnsafeByteOperations.UnsafeWrap(entry.Value.RawKey));
            }
        }
    }

    private static void Check(MemoryLock memoryLock, ulong readTs, IReadOnlyList<ulong>? bypassLocks, IsolationLevel isolation)
    {
        LockRecord? lockRecord;
        lock (memoryLock)
        {
            lockRecord = memoryLock.Lock;
        }

        if (lockRecord is not null)
        {
            LockConflict.Check(lockRecord, readTs, UnsafeByteOperations.UnsafeWrap(memoryLock.RawKey), bypassLocks, isolation);
        }
    }
}
