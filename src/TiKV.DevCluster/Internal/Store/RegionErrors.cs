using Google.Protobuf;
using TiKV.DevCluster.Internal.Regions;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// Builds <c>errorpb.Error</c> values the way TiKV's raftstore converts its errors: the variant plus a message
/// formatted like TiKV's error display (keys in upper-case hex, as <c>log_wrappers::Value::key</c> prints them).
/// </summary>
internal static class RegionErrors
{
    /// <summary>The request was routed to a store that is not the one named in its context peer.</summary>
    public static Error StoreNotMatch(ulong requestStoreId, ulong actualStoreId) => new()
    {
        Message = $"to store id {requestStoreId}, mine {actualStoreId}",
        StoreNotMatch = new StoreNotMatch { RequestStoreId = requestStoreId, ActualStoreId = actualStoreId },
    };

    /// <summary>The store has no peer of the region.</summary>
    public static Error RegionNotFound(ulong regionId) => new()
    {
        Message = $"region {regionId} not found",
        RegionNotFound = new RegionNotFound { RegionId = regionId },
    };

    /// <summary>The context names a different peer id than this store's peer of the region.</summary>
    public static Error MismatchPeerId(ulong requestPeerId, ulong storePeerId) => new()
    {
        Message = $"mismatch peer id {requestPeerId} != {storePeerId}",
        MismatchPeerId = new MismatchPeerId { RequestPeerId = requestPeerId, StorePeerId = storePeerId },
    };

    /// <summary>This store's peer is not the leader; <paramref name="leader"/> is the leader it knows, if any.</summary>
    public static Error NotLeader(ulong regionId, RegionPeer? leader)
    {
        var notLeader = new NotLeader { RegionId = regionId };
        string leaderText = "None";
        if (leader is { } peer)
        {
            notLeader.Leader = RegionState.ToProto(peer);
            leaderText = $"Some(id: {peer.PeerId} store_id: {peer.StoreId})";
        }

        return new Error { Message = $"peer is not leader for region {regionId}, leader may {leaderText}", NotLeader = notLeader };
    }

    /// <summary>The request's term is more than one behind the region's (TiKV's <c>check_term</c>).</summary>
    public static Error StaleCommand() => new() { Message = "stale command", StaleCommand = new StaleCommand() };

    /// <summary>The request carries no region epoch; TiKV answers with a message-only error.</summary>
    public static Error MissingEpoch() => new() { Message = "\"missing epoch!\"" };

    /// <summary>The request's epoch differs from the region's; <paramref name="currentRegions"/> lets the client catch up.</summary>
    public static Error EpochNotMatch(RegionState region, RegionEpoch? sent, IEnumerable<RegionState> currentRegions)
    {
        var epochNotMatch = new EpochNotMatch();
        foreach (var current in currentRegions)
        {
            epochNotMatch.CurrentRegions.Add(current.ToProto());
        }

        return new Error
        {
            Message = $"EpochNotMatch current epoch of region {region.Id} is conf_ver: {region.ConfVer} version: {region.Version}, " +
                $"but you sent conf_ver: {sent?.ConfVer ?? 0} version: {sent?.Version ?? 0}",
            EpochNotMatch = epochNotMatch,
        };
    }

    /// <summary>A key checked at apply time or by a seek lies outside the region (raftstore's <c>KeyNotInRegion</c>).</summary>
    public static Error KeyNotInRegion(ReadOnlySpan<byte> key, RegionState region) => new()
    {
        Message = $"key {Hex(key)} is not in region key range [{Hex(region.StartKey)}, {Hex(region.EndKey)}) for region {region.Id}",
        KeyNotInRegion = new KeyNotInRegion
        {
            Key = ByteString.CopyFrom(key),
            RegionId = region.Id,
            StartKey = ByteString.CopyFrom(region.StartKey),
            EndKey = ByteString.CopyFrom(region.EndKey),
        },
    };

    /// <summary>
    /// The message of the engine error a point read outside the region produces (<c>NotInRange</c>): TiKV returns
    /// it as a plain error, not as a region error, for point reads.
    /// </summary>
    public static string KeyOutOfRangeMessage(ReadOnlySpan<byte> key, RegionState region) =>
        $"Key {Hex(key)} is out of [region {region.Id}] [{Hex(region.StartKey)}, {Hex(region.EndKey)})";

    /// <summary>The store (or one of its components) is overloaded.</summary>
    public static Error ServerIsBusy(string reason) => new()
    {
        Message = reason,
        ServerIsBusy = new ServerIsBusy { Reason = reason },
    };

    /// <summary>A message-only region error, as TiKV returns for generic raftstore failures.</summary>
    public static Error Message(string message) => new() { Message = message };

    /// <summary>Upper-case hex, the way TiKV logs keys.</summary>
    public static string Hex(ReadOnlySpan<byte> key) => Convert.ToHexString(key);
}
