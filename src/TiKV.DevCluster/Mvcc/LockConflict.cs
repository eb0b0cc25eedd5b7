using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>TiKV's check_ts_conflict for snapshot-isolation reads.</summary>
internal static class LockConflict
{
    /// <summary>
    /// Whether a read at <paramref name="readTs"/> must stop at <paramref name="lockRecord"/>: locks newer than the read,
    /// Lock/Pessimistic locks (they never change the value), locks whose min_commit_ts was pushed past the read,
    /// and locks of transactions the client already resolved do not block.
    /// </summary>
    public static bool Blocks(LockRecord lockRecord, ulong readTs, ReadOnlySpan<byte> rawKey, IReadOnlyList<ulong>? bypassLocks)
    {
        if (lockRecord.StartTs > readTs || lockRecord.Kind is LockKind.Lock or LockKind.Pessimistic)
        {
            return false;
        }

        if (lockRecord.MinCommitTs > readTs)
        {
            return false;
        }

        if (Contains(bypassLocks, lockRecord.StartTs))
        {
            return false;
        }

        // A read at the maximum timestamp may see the primary of a normal 2PC transaction: the primary decides.
        if (readTs == ulong.MaxValue && rawKey.SequenceEqual(lockRecord.Primary) && !lockRecord.UseAsyncCommit && !lockRecord.UseOnePc)
        {
            return false;
        }

        return true;
    }

    /// <summary>Throws KeyIsLocked when <see cref="Blocks"/>.</summary>
    public static void Check(LockRecord lockRecord, ulong readTs, ByteString rawKey, IReadOnlyList<ulong>? bypassLocks)
    {
        if (Blocks(lockRecord, readTs, rawKey.Span, bypassLocks))
        {
            throw MvccErrors.KeyIsLocked(lockRecord, rawKey);
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
