using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>One mutation of a prewrite with what TiKV derives from it (PrewriteMutation in actions/prewrite.rs).</summary>
internal sealed class PrewriteMutation
{
    public PrewriteMutation(Mutation mutation, byte[] encodedKey)
    {
        RawKey = mutation.Key;
        EncodedKey = encodedKey;
        Op = mutation.Op;
        Assertion = mutation.Assertion;
        switch (mutation.Op)
        {
            case Op.Put:
                LockKind = Mvcc.LockKind.Put;
                Value = mutation.Value;
                break;
            case Op.Insert:
                LockKind = Mvcc.LockKind.Put;
                Value = mutation.Value;
                ShouldNotExist = true;
                break;
            case Op.Del:
                LockKind = Mvcc.LockKind.Delete;
                break;
            case Op.Lock:
                LockKind = Mvcc.LockKind.Lock;
                break;
            case Op.CheckNotExists:
                ShouldNotExist = true;
                ShouldNotWrite = true;
                break;
            default:
                throw MvccErrors.BadRequest($"Op {mutation.Op} is not a valid prewrite mutation (key {Convert.ToHexString(mutation.Key.Span)}).");
        }
    }

    public ByteString RawKey { get; }

    public byte[] EncodedKey { get; }

    public Op Op { get; }

    public Assertion Assertion { get; }

    /// <summary>Null for CheckNotExists, which writes nothing.</summary>
    public LockKind? LockKind { get; }

    public ByteString? Value { get; }

    /// <summary>Insert and CheckNotExists fail with AlreadyExist when the key has a value.</summary>
    public bool ShouldNotExist { get; }

    /// <summary>CheckNotExists only checks.</summary>
    public bool ShouldNotWrite { get; }

    public PrewriteRequest.Types.PessimisticAction PessimisticAction { get; set; }

    public ulong? ExpectedForUpdateTs { get; set; }

    /// <summary>Secondaries to store in the lock: all of them for the async-commit primary, none otherwise.</summary>
    public IReadOnlyList<ByteString>? Secondaries { get; set; }

    /// <summary>Lock TTL, raised to an existing pessimistic lock's TTL.</summary>
    public ulong LockTtl { get; set; }

    /// <summary>min_commit_ts, raised to an existing pessimistic lock's.</summary>
    public ulong MinCommitTs { get; set; }
}
