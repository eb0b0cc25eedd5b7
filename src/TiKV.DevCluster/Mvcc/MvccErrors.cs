using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>Builds the exceptions and KeyErrors TiKV returns, field for field (storage/errors.rs extract_key_error).</summary>
internal static class MvccErrors
{
    public static MvccException KeyIsLocked(LockRecord lockRecord, ByteString rawKey)
        => KeyIsLocked(lockRecord.ToLockInfo(rawKey));

    public static MvccException KeyIsLocked(LockInfo info)
        => new(MvccErrorKind.KeyIsLocked, new KeyError { Locked = info });

    public static MvccException WriteConflict(ulong startTs, ulong conflictStartTs, ulong conflictCommitTs, ByteString rawKey, ByteString primary, WriteConflict.Types.Reason reason)
    {
        var conflict = new WriteConflict
        {
            StartTs = startTs,
            ConflictTs = conflictStartTs,
            ConflictCommitTs = conflictCommitTs,
            Key = rawKey,
            Primary = primary,
            Reason = reason,
        };

        // TiKV also fills `retryable` for clients that predate the structured field.
        var retryable = $"WriteConflict {{ start_ts: {startTs}, conflict_start_ts: {conflictStartTs}, conflict_commit_ts: {conflictCommitTs}, reason: {reason} }}";
        return new MvccException(MvccErrorKind.WriteConflict, new KeyError { Conflict = conflict, Retryable = retryable });
    }

    public static MvccException AlreadyExist(ByteString rawKey)
        => new(MvccErrorKind.AlreadyExist, new KeyError { AlreadyExist = new AlreadyExist { Key = rawKey } });

    public static MvccException TxnLockNotFound(ulong startTs, ulong commitTs, ByteString rawKey)
        => new(MvccErrorKind.TxnLockNotFound, new KeyError
        {
            Retryable = $"TxnLockNotFound {{ start_ts: {startTs}, commit_ts: {commitTs} }}",
            TxnLockNotFound = new TxnLockNotFound { Key = rawKey },
        });

    public static MvccException TxnNotFound(ulong startTs, ByteString primary)
        => new(MvccErrorKind.TxnNotFound, new KeyError { TxnNotFound = new TxnNotFound { StartTs = startTs, PrimaryKey = primary } });

    public static MvccException CommitTsExpired(ulong startTs, ulong commitTs, ByteString rawKey, ulong minCommitTs)
        => new(MvccErrorKind.CommitTsExpired, new KeyError
        {
            CommitTsExpired = new CommitTsExpired { StartTs = startTs, AttemptedCommitTs = commitTs, Key = rawKey, MinCommitTs = minCommitTs },
        });

    public static MvccException CommitTsTooLarge(ulong minCommitTs)
        => new(MvccErrorKind.CommitTsTooLarge, new KeyError { CommitTsTooLarge = new CommitTsTooLarge { CommitTs = minCommitTs } });

    public static MvccException AssertionFailed(ulong startTs, ByteString rawKey, Assertion assertion, ulong existingStartTs, ulong existingCommitTs)
        => new(MvccErrorKind.AssertionFailed, new KeyError
        {
            AssertionFailed = new AssertionFailed
            {
                StartTs = startTs,
                Key = rawKey,
                Assertion = assertion,
                ExistingStartTs = existingStartTs,
                ExistingCommitTs = existingCommitTs,
            },
        });

    public static MvccException PrimaryMismatch(LockInfo info)
        => new(MvccErrorKind.PrimaryMismatch, new KeyError { PrimaryMismatch = new PrimaryMismatch { LockInfo = info } });

    public static MvccException Deadlock(ulong lockTs, ByteString lockKey, ulong deadlockKeyHash, ByteString deadlockKey)
        => new(MvccErrorKind.Deadlock, new KeyError
        {
            Deadlock = new Deadlock { LockTs = lockTs, LockKey = lockKey, DeadlockKeyHash = deadlockKeyHash, DeadlockKey = deadlockKey },
        });

    /// <summary>Rollback refused because the transaction committed; KvCleanup turns this into commit_version.</summary>
    public static MvccException Committed(ulong startTs, ulong commitTs, ByteString rawKey)
        => new(MvccErrorKind.Committed, Abort($"Committed {{ start_ts: {startTs}, commit_ts: {commitTs}, key: {Hex(rawKey)} }}"), commitTs);

    public static MvccException PessimisticLockNotFound(ulong startTs, ByteString rawKey, string reason)
        => new(MvccErrorKind.PessimisticLockNotFound, Abort($"PessimisticLockNotFound {{ start_ts: {startTs}, key: {Hex(rawKey)}, reason: {reason} }}"));

    public static MvccException PessimisticLockRolledBack(ulong startTs, ByteString rawKey)
        => new(MvccErrorKind.PessimisticLockRolledBack, Abort($"PessimisticLockRolledBack {{ start_ts: {startTs}, key: {Hex(rawKey)} }}"));

    public static MvccException LockTypeNotMatch(ulong startTs, ByteString rawKey, bool pessimistic)
        => new(MvccErrorKind.LockTypeNotMatch, Abort($"LockTypeNotMatch {{ start_ts: {startTs}, key: {Hex(rawKey)}, pessimistic: {(pessimistic ? "true" : "false")} }}"));

    public static MvccException InvalidTxnTso(ulong startTs, ulong commitTs)
        => new(MvccErrorKind.InvalidTxnTso, Abort($"InvalidTxnTso {{ start_ts: {startTs}, commit_ts: {commitTs} }}"));

    public static MvccException BadRequest(string message) => new(MvccErrorKind.BadRequest, Abort(message));

    private static KeyError Abort(string message) => new() { Abort = message };

    private static string Hex(ByteString key) => Convert.ToHexString(key.Span);
}
