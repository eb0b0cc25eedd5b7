using System.Diagnostics.CodeAnalysis;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Internal.Regions;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>The checks TiKV's raftstore applies to every request's context before serving it.</summary>
internal sealed partial class TikvService
{
    /// <summary>
    /// Checks a request's context in raftstore's order (<c>pre_propose_raft_command</c>): the peer's store must be
    /// this store (StoreNotMatch); the region must have a peer here (RegionNotFound); the peer id must match
    /// (MismatchPeerId); this peer must lead unless the request is a replica or stale read (NotLeader, carrying
    /// the leader the followers know); the term must not be stale (StaleCommand); the epoch must be present and
    /// its version current (EpochNotMatch with the current region and its split siblings). conf_ver is not
    /// compared for ordinary requests, as in TiKV.
    /// </summary>
    private bool RejectContext(Context? context, bool readOnly, [NotNullWhen(false)] out RegionState? region, [NotNullWhen(true)] out Error? error)
    {
        error = CheckContext(context, readOnly, out region);
        return error is not null;
    }

    private Error? CheckContext(Context? context, bool readOnly, out RegionState? region)
    {
        region = null;
        var peer = context?.Peer;
        var requestStoreId = peer?.StoreId ?? 0;
        if (requestStoreId != _store.Id)
        {
            return RegionErrors.StoreNotMatch(requestStoreId, _store.Id);
        }

        var regionId = context?.RegionId ?? 0;
        var current = _cluster.Regions.GetById(regionId);
        if (current?.PeerOn(_store.Id) is not { } myPeer)
        {
            return RegionErrors.RegionNotFound(regionId);
        }

        var requestPeerId = peer?.Id ?? 0;
        if (requestPeerId != myPeer.PeerId)
        {
            return RegionErrors.MismatchPeerId(requestPeerId, myPeer.PeerId);
        }

        if (current.LeaderStoreId != _store.Id && !ServesAsFollower(current, context!, readOnly))
        {
            return RegionErrors.NotLeader(current.Id, current.Leader);
        }

        var term = context!.Term;
        if (term != 0 && current.Term > term + 1)
        {
            return RegionErrors.StaleCommand();
        }

        if (context.RegionEpoch is not { } epoch)
        {
            return RegionErrors.MissingEpoch();
        }

        if (epoch.Version != current.Version)
        {
            return RegionErrors.EpochNotMatch(current, epoch, _cluster.Regions.CollectEpochNotMatchRegions(current, epoch.Version));
        }

        region = current;
        return null;
    }

    /// <summary>A replica or stale read a follower serves while its region has a live leader.</summary>
    private bool ServesAsFollower(RegionState region, Context context, bool readOnly) =>
        readOnly && (context.ReplicaRead || context.StaleRead) && region.LeaderStoreId != 0 && _cluster.IsStoreUp(region.LeaderStoreId);

    /// <summary>
    /// TiKV's API version check for a request served by a V1 (transactional) or V1TTL (raw) storage: only requests
    /// declaring V1 are accepted (<c>check_api_version</c>). Returns the error's display text, or null.
    /// </summary>
    private static string? CheckApiVersion(Context? context, string command, bool raw)
    {
        var version = context?.ApiVersion ?? APIVersion.V1;
        if (version == APIVersion.V1)
        {
            return null;
        }

        return $"Api version in request does not match with TiKV storage, cmd: {command}, storage: {(raw ? "V1ttl" : "V1")}, request: {RustName(version)}";
    }

    /// <summary>The Debug form of the same error, used where TiKV reports it as a key error's <c>abort</c>.</summary>
    private static string? CheckApiVersionDebug(Context? context, string command, bool raw)
    {
        var version = context?.ApiVersion ?? APIVersion.V1;
        return version == APIVersion.V1
            ? null
            : $"Error(ApiVersionNotMatched {{ cmd: {command}, storage_api_version: {(raw ? "V1ttl" : "V1")}, req_api_version: {RustName(version)} }})";
    }

    private static string RustName(APIVersion version) => version switch
    {
        APIVersion.V1Ttl => "V1ttl",
        APIVersion.V2 => "V2",
        APIVersion.V3 => "V3",
        _ => "V1",
    };

    /// <summary>TiKV's <c>max-key-size</c> (8 KiB) check; the error text, or null.</summary>
    private static string? CheckKeySize(IEnumerable<ReadOnlyMemory<byte>> keys)
    {
        foreach (var key in keys)
        {
            if (key.Length > MaxKeySize)
            {
                return $"max key size exceeded, size: {key.Length}, limit: {MaxKeySize}";
            }
        }

        return null;
    }

    /// <summary>TiKV's default <c>storage.max-key-size</c>.</summary>
    private const int MaxKeySize = 8 * 1024;

    /// <summary>The context check of a write followed by <see cref="CheckWrite"/>.</summary>
    private bool RejectWrite(Context? context, IEnumerable<byte[]> keys, long entrySize, [NotNullWhen(false)] out RegionState? region, [NotNullWhen(true)] out Error? error)
    {
        if (RejectContext(context, readOnly: false, out region, out error))
        {
            return true;
        }

        error = CheckWrite(region, keys, entrySize);
        if (error is not null)
        {
            region = null;
            return true;
        }

        return false;
    }

    /// <summary>
    /// A write's region-level checks after the context: the proposal must fit a raft entry, and at apply time every
    /// key must lie in the region (KeyNotInRegion, as apply's <c>check_key_in_region</c>).
    /// </summary>
    private static Error? CheckWrite(RegionState region, IEnumerable<byte[]> keys, long entrySize)
    {
        if (entrySize > RaftEntryMaxSize)
        {
            return new Error
            {
                Message = $"raft entry is too large, region {region.Id}, entry size {entrySize}",
                RaftEntryTooLarge = new RaftEntryTooLarge { RegionId = region.Id, EntrySize = (ulong)entrySize },
            };
        }

        foreach (var key in keys)
        {
            if (!region.Contains(key))
            {
                return RegionErrors.KeyNotInRegion(key, region);
            }
        }

        return null;
    }

    /// <summary>
    /// Where a scan seeks: the key must lie in [start, end] of the region (<c>check_key_in_region_inclusive</c>),
    /// otherwise KeyNotInRegion.
    /// </summary>
    private static Error? CheckSeek(RegionState region, byte[] key) =>
        KeyComparer.InRangeInclusive(key, region.StartKey, region.EndKey) ? null : RegionErrors.KeyNotInRegion(key, region);
}
