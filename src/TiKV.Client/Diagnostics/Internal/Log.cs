using Microsoft.Extensions.Logging;
using TiKV.Client.Locate.Internal;
using TiKV.Grpc;

namespace TiKV.Client.Diagnostics.Internal;

/// <summary>The client's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to PD cluster {ClusterId}, leader {Leader}")]
    public static partial void Connected(ILogger logger, ulong clusterId, string leader);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "PD leader changed from {Previous} to {Leader} (cluster {ClusterId}, learned from {Source})")]
    public static partial void PdLeaderChanged(ILogger logger, string previous, string leader, ulong clusterId, string source);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "PD call {Method} to {Target} failed: {StatusCode} {Detail}")]
    public static partial void PdCallFailed(ILogger logger, string method, string target, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Refreshing PD members failed: {Reason}")]
    public static partial void PdMemberRefreshFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "TSO stream to {Target} failed: {Reason}")]
    public static partial void TsoStreamFailed(ILogger logger, string target, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Region {RegionId} dropped from the cache ({Reason})")]
    public static partial void RegionInvalidated(ILogger logger, ulong regionId, RegionErrorKind reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Store {StoreId} address dropped from the cache")]
    public static partial void StoreInvalidated(ILogger logger, ulong storeId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "{Operation}: region {RegionId} on store {Store} answered {Kind}: {Message}")]
    public static partial void RegionError(ILogger logger, string operation, ulong regionId, string store, RegionErrorKind kind, string message);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "{Count} regions idle past their TTL dropped from the cache")]
    public static partial void RegionsExpired(ILogger logger, int count);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "{Operation}: sending to store {Store} for region {RegionId} failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, string operation, string store, ulong regionId, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "BatchCommands stream {Connection} to {Store} broke ({Reason}); {InFlight} requests failed, reconnecting")]
    public static partial void BatchStreamBroken(ILogger logger, int connection, string store, string reason, int inFlight);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "BatchCommands stream {Connection} to {Store} opened")]
    public static partial void BatchStreamOpened(ILogger logger, int connection, string store);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "BatchCommands response for unknown or timed-out request {RequestId} from {Store} skipped")]
    public static partial void BatchResponseSkipped(ILogger logger, ulong requestId, string store);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "TiKV client shutting down")]
    public static partial void ShuttingDown(ILogger logger);
}
