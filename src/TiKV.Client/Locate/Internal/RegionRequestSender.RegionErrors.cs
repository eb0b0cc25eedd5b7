using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Locate.Internal;

internal sealed partial class RegionRequestSender
{
    /// <summary>
    /// Reacts to a region error as client-go's onRegionError does (see the table in the project notes):
    /// update the leader, cache the regions a split produced, drop stale entries, back off the right kind,
    /// or fail at once for errors retrying cannot fix.
    /// </summary>
    private async ValueTask<RegionErrorAction> OnRegionErrorAsync(
        Backoffer backoffer,
        CachedRegion region,
        Peer peer,
        string address,
        Error error,
        string command,
        CancellationToken cancellationToken)
    {
        var kind = RegionErrors.Classify(error);
        ClientMetrics.RecordRegionError(kind);
        Log.RegionError(_logger, command, region.Id, address, kind, error.Message);
        var cause = new RegionException(error, region.Id, $"{command}: region {region.Id} on store {address} answered {RegionErrors.Name(kind)}: {error.Message}");

        switch (kind)
        {
            case RegionErrorKind.NotLeader:
                var leader = error.NotLeader.Leader;
                if (leader is null || leader.StoreId == 0)
                {
                    // No leader yet (election in progress): reload after a short wait.
                    _regions.Invalidate(region, kind);
                    await BackoffAsync(BackoffKind.RegionScheduling).ConfigureAwait(false);
                    return RegionErrorAction.Relocate;
                }

                if (!_regions.UpdateLeader(region, leader))
                {
                    return RegionErrorAction.Relocate;
                }

                if (leader.StoreId == peer.StoreId)
                {
                    // The store names itself leader but refused: it is still applying the leadership change.
                    await BackoffAsync(BackoffKind.RegionScheduling).ConfigureAwait(false);
                }

                return RegionErrorAction.Retry;

            case RegionErrorKind.EpochNotMatch:
                if (!_regions.OnEpochNotMatch(region, error.EpochNotMatch.CurrentRegions))
                {
                    await BackoffAsync(BackoffKind.RegionMiss).ConfigureAwait(false);
                }

                return RegionErrorAction.Relocate;

            case RegionErrorKind.RegionNotFound:
            case RegionErrorKind.KeyNotInRegion:
            case RegionErrorKind.MismatchPeerId:
            case RegionErrorKind.IsWitness:
            case RegionErrorKind.Unknown:
                // Stale routing: reload from PD. A tiny regionMiss sleep keeps a lagging PD from turning this into a busy loop.
                _regions.Invalidate(region, kind);
                await BackoffAsync(BackoffKind.RegionMiss).ConfigureAwait(false);
                return RegionErrorAction.Relocate;

            case RegionErrorKind.StoreNotMatch:
                // The address now belongs to another store: re-resolve it and drop the connections to it.
                _stores.Invalidate(peer.StoreId);
                _transport.Drop(address);
                _regions.Invalidate(region, kind);
                return RegionErrorAction.Relocate;

            case RegionErrorKind.ServerIsBusy:
            case RegionErrorKind.DiskFull:
                await BackoffAsync(BackoffKind.ServerBusy).ConfigureAwait(false);
                return RegionErrorAction.Retry;

            case RegionErrorKind.StaleCommand:
            case RegionErrorKind.MaxTimestampNotSynced:
            case RegionErrorKind.RegionNotInitialized:
            case RegionErrorKind.ReadIndexNotReady:
            case RegionErrorKind.ProposalInMergingMode:
            case RegionErrorKind.DataIsNotReady:
            case RegionErrorKind.RecoveryInProgress:
            case RegionErrorKind.BucketVersionNotMatch:
                await BackoffAsync(BackoffKind.StoreNotReady).ConfigureAwait(false);
                return RegionErrorAction.Retry;

            case RegionErrorKind.UndeterminedResult:
                throw new UndeterminedResultException($"{command}: store {address} cannot tell whether the request on region {region.Id} was applied: {error.Message}", cause);

            case RegionErrorKind.RaftEntryTooLarge:
            case RegionErrorKind.FlashbackInProgress:
            case RegionErrorKind.FlashbackNotPrepared:
            default:
                throw cause;
        }

        ValueTask BackoffAsync(BackoffKind backoffKind) =>
            backoffer.BackoffAsync(backoffKind, cause, region.Id, address, cancellationToken);
    }
}
