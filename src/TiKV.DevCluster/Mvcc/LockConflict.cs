using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>TiKV's check_ts_conflict: whether a read meets a lock, and with which error.</summary>
internal static class LockConflict
{
    /// <summary>
    /// Whether a read at <paramref name="readTs"/> must stop at <paramref name="lockRecord"/>. Under snapshot isolation,
    /// locks newer than the read, Lock/Pessimistic locks (they never change the value), locks whose min_commit_ts was
    /// pushed past the read, and locks of transactions the client already resolved do not block. Under RcCheckTs any
    /// Put/Delete lock not yet resolved does, whatever its timestamp (check_ts_conflict_rc_check_ts).
    /// </summary>
    public static bool Blocks(LockRecord lockRecord, ulong readTs, ReadOnlySpan<byte> rawKey, IReadOnlyList<ulong>? bypassLocks, IsolationLevel isolation)
    {
        if (lockRecord.Kind is LockKind.Lock or LockKind.Pessimistic)
        {
            return false;
        }

        if (isolation == IsolationLevel.RccheckTs)
        {
            return !Contains(bypassLocks, lockRecord.StartTs);
        }

        if (lockRecord.StartTs > readTs || lockRecord.MinCommitTs > readTs)
        {
            return false;
        }

        if (Contains(bypassLocks, lockRecord.StartTs))
        {
            return false;
        }

        // A read at the maximum timestamp may see the primary of a normal 2PC transaction: the primary decides.
        if (readTs == ulong.MaxValue && rawKey.SequenceEqual(lockRecord.Primary.Span) && !lockRecord.UseAsyncCommit && !lockRecord.UseOnePc)
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// The error of a read that <see cref="Blocks"/>: KeyIsLocked under snapshot isolation (the client resolves the
    /// lock); WriteConflict (RcCheckTs) under RcCheckTs, whose client retries the statement with a newer timestamp.
    /// </summary>
    public static MvccException Error(LockRecord lockRecord, ulong readTs, ByteString rawKey, IsolationLevel isolation)
        => isolation == IsolationLevel.RccheckTs
            ? MvccErrors.WriteConflict(readTs, lockRecord.StartTs, 0, rawKey, UnsafeByteOperations.UnsafeWrap(lockRecord.Primary), WriteConflict.Types.Reason.RcCheckTs)
            : MvccErrors.KeyIsLocked(lockRecord, rawKey);

    /// <summary>Throws the read's error when <see cref="Blocks"/>.</summary>
    public static void Check(LockRecord lockRecord, ulong readTs, ByteString rawKey, IReadOnlyList<ulong>? bypassLocks, IsolationLevel isolation)
    {
        if (Blocks(lockRecord, readTs, rawKey.Span, bypassLocks, isolation))
        {
            throw Error(lockRecord, readTs, rawKey, isolation);
        }
    }

    public static bool Contains(IReadOnlyList<ulong>? set, ulong ts)
    {
        if (set is null)
        {
            return false;
        }

        for (var i = 0; i < set.Count; i++)
        {
            if (set[i] == ts)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the isolation level reads through locks (read committed does not check them).</summary>
    public static bool NeedsLockCheck(IsolationLevel level) => level != IsolationLevel.Rc;
}
