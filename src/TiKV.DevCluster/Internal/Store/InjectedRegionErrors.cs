using TiKV.DevCluster.Internal.Regions;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// Builds the region error an injected fault answers with, from the region's current state and the request, with
/// the fields and message texts TiKV's raftstore and storage produce for that error (<c>raftstore::Error</c> and
/// <c>storage::errors::extract_region_error</c>).
/// </summary>
internal static class InjectedRegionErrors
{
    /// <summary>The error of <paramref name="kind"/> for a request on <paramref name="store"/>.</summary>
    public static Error Build(
        DevRegionErrorKind kind, ClusterRuntime cluster, StoreNode store, string method, Context? context, ReadOnlySpan<byte> firstKey, long requestSize)
    {
        var regionId = context?.RegionId ?? 0;
        var region = cluster.Regions.GetById(regionId);
        if (region is null && kind is not (DevRegionErrorKind.RegionNotFound or DevRegionErrorKind.StoreNotMatch or DevRegionErrorKind.ServerIsBusy))
        {
            // A store cannot say anything about a region it does not know but that.
            return RegionErrors.RegionNotFound(regionId);
        }

        return kind switch
        {
            DevRegionErrorKind.NotLeader => RegionErrors.NotLeader(regionId, region!.Leader),
            DevRegionErrorKind.NotLeaderWithoutLeader => RegionErrors.NotLeader(regionId, null),
            DevRegionErrorKind.EpochNotMatch => RegionErrors.EpochNotMatch(
                region!,
                context!.RegionEpoch,
                cluster.Regions.CollectEpochNotMatchRegions(region!, context.RegionEpoch?.Version ?? 0)),
            DevRegionErrorKind.RegionNotFound => RegionErrors.RegionNotFound(regionId),
            DevRegionErrorKind.KeyNotInRegion => RegionErrors.KeyNotInRegion(firstKey, region!),
            DevRegionErrorKind.StoreNotMatch => RegionErrors.StoreNotMatch(context?.Peer?.StoreId ?? 0, store.Id),

            // The storage scheduler's busy error carries only the reason (SchedTooBusy).
            DevRegionErrorKind.ServerIsBusy => new Error { ServerIsBusy = new ServerIsBusy { Reason = "scheduler is busy" } },
            DevRegionErrorKind.StaleCommand => RegionErrors.StaleCommand(),

            // Raw writes report RawKvMaxTimestampNotSynced with a message; transactional ones an empty one.
            DevRegionErrorKind.MaxTimestampNotSynced => new Error
            {
                Message = method.StartsWith("Raw", StringComparison.Ordinal)
                    ? $"RawKV write fails due to potentially stale max timestamp, region_id: {regionId}"
                    : "",
                MaxTimestampNotSynced = new MaxTimestampNotSynced(),
            },
            DevRegionErrorKind.ReadIndexNotReady => new Error
            {
                Message = $"read index not ready, reason can not read index due to split, region {regionId}",
                ReadIndexNotReady = new ReadIndexNotReady { Reason = "can not read index due to split", RegionId = regionId },
            },
            DevRegionErrorKind.ProposalInMergingMode => new Error
            {
                Message = $"{regionId} peer in merging mode, can't do proposal",
                ProposalInMergingMode = new ProposalInMergingMode { RegionId = regionId },
            },
            DevRegionErrorKind.RegionNotInitialized => new Error
            {
                Message = $"region {regionId} not initialized yet",
                RegionNotInitialized = new RegionNotInitialized { RegionId = regionId },
            },
            DevRegionErrorKind.DataIsNotReady => DataIsNotReady(region!, store),
            DevRegionErrorKind.DiskFull => new Error
            {
                Message = $"store ids [{store.Id}], errmsg propose failed: tikv disk full, cmd diskFullOpt=NotAllowedOnFull, leader diskUsage=AlreadyFull",
                DiskFull = new DiskFull { StoreId = { store.Id }, Reason = "propose failed: tikv disk full, cmd diskFullOpt=NotAllowedOnFull, leader diskUsage=AlreadyFull" },
            },
            DevRegionErrorKind.RaftEntryTooLarge => new Error
            {
                Message = $"raft entry is too large, region {regionId}, entry size {requestSize}",
                RaftEntryTooLarge = new RaftEntryTooLarge { RegionId = regionId, EntrySize = (ulong)requestSize },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown region error kind."),
        };
    }

    /// <summary>A peer whose resolved timestamp has not advanced yet reports safe_ts 0.</summary>
    private static Error DataIsNotReady(RegionState region, StoreNode store)
    {
        var peerId = region.PeerOn(store.Id)?.PeerId ?? 0;
        return new Error
        {
            Message = $"peer {peerId} is not ready, safe_ts 0, region {region.Id}",
            DataIsNotReady = new DataIsNotReady { RegionId = region.Id, PeerId = peerId, SafeTs = 0 },
        };
    }
}
