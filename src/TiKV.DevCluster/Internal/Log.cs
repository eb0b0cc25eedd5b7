using Microsoft.Extensions.Logging;

namespace TiKV.DevCluster.Internal;

/// <summary>The cluster's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "DevCluster {ClusterId} started: PD at {PdAddress}, {StoreCount} stores, {RegionCount} regions")]
    public static partial void ClusterStarted(ILogger logger, ulong clusterId, string pdAddress, int storeCount, int regionCount);

    [LoggerMessage(2, LogLevel.Information, "Store {StoreId} serving at {Address} (status {StatusAddress})")]
    public static partial void StoreStarted(ILogger logger, ulong storeId, string address, string statusAddress);

    [LoggerMessage(3, LogLevel.Information, "Store {StoreId} stopped ({How})")]
    public static partial void StoreStopped(ILogger logger, ulong storeId, string how);

    [LoggerMessage(4, LogLevel.Information, "Region {RegionId} split into {Regions}")]
    public static partial void RegionSplit(ILogger logger, ulong regionId, string regions);

    [LoggerMessage(5, LogLevel.Information, "Region {RegionId} leader moved from store {FromStoreId} to store {ToStoreId} (term {Term})")]
    public static partial void LeaderChanged(ILogger logger, ulong regionId, ulong fromStoreId, ulong toStoreId, ulong term);

    [LoggerMessage(6, LogLevel.Warning, "Region {RegionId} has no live quorum; it stays without a leader")]
    public static partial void NoQuorum(ILogger logger, ulong regionId);

    [LoggerMessage(7, LogLevel.Error, "Store {StoreId}: {Method} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, ulong storeId, string method);

    [LoggerMessage(8, LogLevel.Warning, "Store {StoreId}: BatchCommands stream ended with an error")]
    public static partial void BatchStreamFailed(ILogger logger, Exception exception, ulong storeId);

    [LoggerMessage(9, LogLevel.Error, "Split check of region {RegionId} failed")]
    public static partial void SplitCheckFailed(ILogger logger, Exception exception, ulong regionId);

    [LoggerMessage(10, LogLevel.Information, "GC ran up to safe point {SafePoint}")]
    public static partial void GcRan(ILogger logger, ulong safePoint);

    [LoggerMessage(11, LogLevel.Error, "GC up to safe point {SafePoint} failed")]
    public static partial void GcFailed(ILogger logger, Exception exception, ulong safePoint);

    [LoggerMessage(12, LogLevel.Warning, "Port {Port} is busy; {Endpoint} listens on a free port instead")]
    public static partial void PortFallback(ILogger logger, int port, string endpoint);

    [LoggerMessage(13, LogLevel.Debug, "Status endpoint request failed")]
    public static partial void StatusRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(14, LogLevel.Error, "Saving cluster metadata failed")]
    public static partial void MetadataSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Error, "Background task failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Information, "Region {RegionId}: peer moved from store {FromStoreId} to store {ToStoreId} (new peer {PeerId}, conf_ver {ConfVer})")]
    public static partial void PeerMoved(ILogger logger, ulong regionId, ulong fromStoreId, ulong toStoreId, ulong peerId, ulong confVer);

    [LoggerMessage(17, LogLevel.Information, "Store {StoreId} is now {State}")]
    public static partial void StoreStateChanged(ILogger logger, ulong storeId, string state);

    [LoggerMessage(18, LogLevel.Information, "PD {How}")]
    public static partial void PdLifecycle(ILogger logger, string how);
}
