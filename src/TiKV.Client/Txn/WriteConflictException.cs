using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

/// <summary>
/// Another transaction wrote (or locked) a key this transaction writes after this one started (Percolator's
/// write-write conflict, kvrpcpb.WriteConflict). The transaction has been rolled back; run it again from the start
/// with a new start_ts.
/// </summary>
public sealed class WriteConflictException : KeyException
{
    /// <summary>Creates the exception from the store's key error, which must carry a write conflict.</summary>
    public WriteConflictException(KeyError keyError, string message)
        : base(keyError, message)
    {
        Conflict = keyError.Conflict ?? throw new ArgumentException("The key error carries no write conflict.", nameof(keyError));
    }

    /// <summary>The conflict as the store reported it.</summary>
    public WriteConflict Conflict { get; }

    /// <summary>The start_ts of this transaction.</summary>
    public ulong StartTimestamp => Conflict.StartTs;

    /// <summary>The start_ts of the transaction that got in the way.</summary>
    public ulong ConflictStartTimestamp => Conflict.ConflictTs;

    /// <summary>The commit_ts of the conflicting write (0 when it met a lock rather than a committed write).</summary>
    public ulong ConflictCommitTimestamp => Conflict.ConflictCommitTs;

    /// <summary>The key the conflict is on.</summary>
    public byte[] Key => Conflict.Key.ToByteArray();

    /// <inheritdoc />
    public override bool IsRetryable => true;
}
