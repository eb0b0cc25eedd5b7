using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// What CheckTxnStatus (or async-commit recovery) says about a transaction: alive (<see cref="Ttl"/> &gt; 0),
/// committed (<see cref="CommitTs"/> &gt; 0) or rolled back — client-go's TxnStatus.
/// </summary>
internal readonly record struct TxnStatus(ulong Ttl, ulong CommitTs, Proto.Kvrpcpb.Action Action, LockInfo? PrimaryLock)
{
    public bool IsCommitted => CommitTs > 0;

    public bool IsRolledBack => Ttl == 0 && CommitTs == 0 && Action is Proto.Kvrpcpb.Action.NoAction
        or Proto.Kvrpcpb.Action.LockNotExistRollback or Proto.Kvrpcpb.Action.TtlexpireRollback;

    /// <summary>Committed or rolled back for good: safe to cache.</summary>
    public bool IsDetermined => IsCommitted || IsRolledBack;

    public static TxnStatus Committed(ulong commitTs) => new(0, commitTs, Proto.Kvrpcpb.Action.NoAction, null);

    public static TxnStatus RolledBack => new(0, 0, Proto.Kvrpcpb.Action.NoAction, null);
}
