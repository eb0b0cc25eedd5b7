using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>A lock a request ran into (kvrpcpb.LockInfo), as the lock resolver needs it.</summary>
internal sealed record TxnLock(
    byte[] Key,
    byte[] Primary,
    ulong TxnId,
    ulong Ttl,
    ulong TxnSize,
    Op LockType,
    bool UseAsyncCommit,
    ulong LockForUpdateTs,
    ulong MinCommitTs)
{
    public bool IsPessimistic => LockType is Op.PessimisticLock or Op.SharedPessimisticLock;

    public static TxnLock From(LockInfo info) => new(
        info.Key.ToByteArray(),
        info.PrimaryLock.ToByteArray(),
        info.LockVersion,
        info.LockTtl,
        info.TxnSize,
        info.LockType,
        info.UseAsyncCommit,
        info.LockForUpdateTs,
        info.MinCommitTs);

    public override string ToString() =>
        $"lock of txn {TxnId} on key {Convert.ToHexString(Key)} (primary {Convert.ToHexString(Primary)}, {LockType}, ttl {Ttl} ms{(UseAsyncCommit ? ", async commit" : string.Empty)})";
}
