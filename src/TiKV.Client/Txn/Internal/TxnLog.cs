using Microsoft.Extensions.Logging;

namespace TiKV.Client.Txn.Internal;

/// <summary>Log messages of the transactional API (source-generated; event ids 100–149).</summary>
internal static partial class TxnLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Committing the secondary keys of transaction {StartTs} at {CommitTs} failed; readers will resolve their locks: {Reason}")]
    public static partial void SecondaryCommitFailed(ILogger logger, ulong startTs, ulong commitTs, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Rolling back the locks of transaction {StartTs} failed; readers will resolve them after their TTL: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, ulong startTs, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Locks of transaction {StartTs} rolled back")]
    public static partial void CleanupFinished(ILogger logger, ulong startTs);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Transaction {StartTs}: {Protocol} fell back to two-phase commit ({Reason})")]
    public static partial void ProtocolFallback(ILogger logger, ulong startTs, string protocol, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Transaction {StartTs}: commit_ts {CommitTs} rejected as expired (min_commit_ts {MinCommitTs}), retrying with a newer one")]
    public static partial void CommitTsExpired(ILogger logger, ulong startTs, ulong commitTs, ulong minCommitTs);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Lock of transaction {TxnId} resolved to commit_ts {CommitTs} (0: rolled back)")]
    public static partial void LockResolved(ILogger logger, ulong txnId, ulong commitTs);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Expired pessimistic lock of transaction {TxnId} rolled back")]
    public static partial void PessimisticLockResolved(ILogger logger, ulong txnId);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "TTL heartbeat of transaction {StartTs} rejected: {Error}")]
    public static partial void HeartbeatRejected(ILogger logger, ulong startTs, TiKV.Proto.Kvrpcpb.KeyError error);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "TTL heartbeat of transaction {StartTs} failed: {Reason}")]
    public static partial void HeartbeatFailed(ILogger logger, ulong startTs, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "TTL heartbeat of transaction {StartTs} stopped: {Reason}")]
    public static partial void HeartbeatStopped(ILogger logger, ulong startTs, string reason);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Rolling back transaction {StartTs} on dispose failed: {Reason}")]
    public static partial void DisposeRollbackFailed(ILogger logger, ulong startTs, string reason);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Async-commit transaction {TxnId} recovered from its secondaries: commit_ts {CommitTs} (0: rolled back)")]
    public static partial void AsyncCommitRecovered(ILogger logger, ulong txnId, ulong commitTs);
}
