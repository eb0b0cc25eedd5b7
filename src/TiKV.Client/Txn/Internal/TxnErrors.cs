using System.Globalization;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>Turns kvrpcpb.KeyError into the client's typed exceptions.</summary>
internal static class TxnErrors
{
    public static TiKVException FromKeyError(KeyError error, string operation)
    {
        if (error.Conflict is { } conflict)
        {
            TxnMetrics.RecordConflict();
            return new WriteConflictException(error, string.Create(
                CultureInfo.InvariantCulture,
                $"{operation}: write conflict on key {Convert.ToHexString(conflict.Key.Span)}: transaction {conflict.StartTs} met transaction {conflict.ConflictTs} (commit_ts {conflict.ConflictCommitTs}, {conflict.Reason})."));
        }

        if (error.AlreadyExist is { } exist)
        {
            return new KeyAlreadyExistsException(error, $"{operation}: key {Convert.ToHexString(exist.Key.Span)} already exists.");
        }

        if (error.Deadlock is { } deadlock)
        {
            return new DeadlockException(error, string.Create(
                CultureInfo.InvariantCulture,
                $"{operation}: deadlock waiting for key {Convert.ToHexString(deadlock.LockKey.Span)} locked by transaction {deadlock.LockTs}."));
        }

        return new KeyException(error, $"{operation} failed: {Describe(error)}");
    }

    /// <summary>A write conflict made up by the client: an optimistic prewrite met the lock of a newer transaction, which it can never overtake.</summary>
    public static WriteConflictException NewerLock(ulong startTs, TxnLock lockInfo, string operation)
    {
        var error = new KeyError
        {
            Conflict = new WriteConflict
            {
                StartTs = startTs,
                ConflictTs = lockInfo.TxnId,
                Key = Google.Protobuf.ByteString.CopyFrom(lockInfo.Key),
                Primary = Google.Protobuf.ByteString.CopyFrom(lockInfo.Primary),
                Reason = WriteConflict.Types.Reason.Optimistic,
            },
        };
        return (WriteConflictException)FromKeyError(error, operation);
    }

    public static string Describe(KeyError error) => error switch
    {
        { Locked: { } locked } => $"key {Convert.ToHexString(locked.Key.Span)} is locked by transaction {locked.LockVersion}",
        { TxnLockNotFound: { } notFound } => $"the lock on key {Convert.ToHexString(notFound.Key.Span)} is gone (the transaction was rolled back, e.g. by a reader after its TTL): {error.Retryable}",
        { TxnNotFound: { } txn } => $"transaction {txn.StartTs} not found",
        { CommitTsExpired: { } expired } => $"commit_ts {expired.AttemptedCommitTs} is below min_commit_ts {expired.MinCommitTs}",
        { CommitTsTooLarge: { } large } => $"commit_ts {large.CommitTs} is too large",
        { AssertionFailed: { } assertion } => $"assertion {assertion.Assertion} failed on key {Convert.ToHexString(assertion.Key.Span)}",
        { PrimaryMismatch: { } mismatch } => $"primary mismatch: the lock on key {(mismatch.LockInfo is { } info ? Convert.ToHexString(info.Key.Span) : "?")} names another primary",
        _ when !string.IsNullOrEmpty(error.Retryable) => error.Retryable,
        _ when !string.IsNullOrEmpty(error.Abort) => error.Abort,
        _ => error.ToString(),
    };
}
