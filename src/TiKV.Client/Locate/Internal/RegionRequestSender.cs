using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Client.Rpc.Internal;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// Sends a request to the leader of one region and handles everything that can go wrong on the way
/// (client-go's RegionRequestSender): transport failures (back off tikvRPC, probe another peer, re-resolve the
/// store) and region errors per errorpb variant. It returns null when the region changed under the request —
/// the request plan then re-splits the keys by the refreshed cache and tries again.
/// </summary>
internal sealed partial class RegionRequestSender
{
    private readonly RegionCache _regions;
    private readonly StoreCache _stores;
    private readonly IStoreTransport _transport;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RegionRequestSender(RegionCache regions, StoreCache stores, IStoreTransport transport, TimeProvider timeProvider, ILogger logger)
    {
        _regions = regions;
        _stores = stores;
        _transport = transport;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public RegionCache Regions => _regions;

    /// <summary>
    /// Sends <paramref name="request"/> to the region's leader until it is answered without a region error; null
    /// when the region changed under it. The returned ValueTask comes from a pooled state machine: await it once.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse?> SendAsync<TResponse>(Backoffer backoffer, CachedRegion region, StoreRequest<TResponse> request, CancellationToken cancellationToken)
        where TResponse : class
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!region.IsValid)
            {
                return null;
            }

            var peerIndex = region.LeaderIndex;
            var peer = region.Leader;
            if (peer is null)
            {
                _regions.Invalidate(region, RegionErrorKind.Unknown);
                await backoffer.BackoffAsync(BackoffKind.RegionMiss, new TiKVException($"Region {region.Id} has no peers", isRetryable: true), region.Id, null, cancellationToken).ConfigureAwait(false);
                return null;
            }

            string address;
            try
            {
                address = await _stores.GetAddressAsync(peer.StoreId, backoffer, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex) when (ex.Removed)
            {
                // client-go: a leader on a tombstone store means the cached peer list is stale; drop the region
                // and reload it from PD instead of probing a store that will never answer.
                _stores.Invalidate(peer.StoreId);
                _regions.Invalidate(region, RegionErrorKind.StoreNotMatch);
                await backoffer.BackoffAsync(BackoffKind.RegionMiss, ex, region.Id, ex.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (StoreUnavailableException ex)
            {
                OnSendFailure(region, peerIndex, peer.StoreId);
                await backoffer.BackoffAsync(BackoffKind.TiKVRpc, ex, region.Id, ex.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var context = region.ContextFor(peer);
            var started = ClientMetrics.RequestStart(_timeProvider);
            TResponse response;
            try
            {
                var batch = request.ToBatch(context);
                if (batch is null)
                {
                    response = await request.SendUnaryAsync(_transport, address, context, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var answer = await _transport.SendAsync(address, batch, cancellationToken).ConfigureAwait(false);
                    response = request.FromBatch(answer) ?? throw Mismatch(address, request.Command, answer);
                }
            }
            catch (TiKVRpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                ClientMetrics.RecordRequest(request.Command, started, _timeProvider);
                Log.SendFailed(_logger, request.Command, address, region.Id, ex.Message);
                if (!request.Idempotent && !TransportErrors.IsConnectFailure(ex))
                {
                    // The store may have applied it; repeating a CAS could change its outcome.
                    throw new UndeterminedResultException(
                        $"{request.Command} to store {address} (region {region.Id}) failed after it may have been applied: {ex.Message}", ex);
                }

                if (!ex.IsRetryable)
                {
                    // A status such as InvalidArgument or Unimplemented is the store's final word on this
                    // request; backing off until the budget is spent would only delay the same answer.
                    throw;
                }

                OnSendFailure(region, peerIndex, peer.StoreId);
                await backoffer.BackoffAsync(BackoffKind.TiKVRpc, ex, region.Id, address, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ClientMetrics.RecordRequest(request.Command, started, _timeProvider);
            var regionError = request.RegionError(response);
            if (regionError is null)
            {
                return response;
            }

            var action = await OnRegionErrorAsync(backoffer, region, peer, address, regionError, request.Command, cancellationToken).ConfigureAwait(false);
            if (action == RegionErrorAction.Relocate)
            {
                return null;
            }
        }
    }

    private static TiKVRpcException Mismatch(string address, string command, BatchResponse response) =>
        new(address, TiKV.Grpc.StatusCode.Internal, $"Store answered {command} with a {response.CmdCase} response");

    /// <summary>
    /// After a transport failure: forget the store's address (it is re-resolved through PD) and probe the next
    /// peer, which answers NotLeader with the new leader if the old one died. Once every peer failed, reload
    /// the region from PD.
    /// </summary>
    private void OnSendFailure(CachedRegion region, int peerIndex, ulong storeId)
    {
        _stores.Invalidate(storeId);
        if (!region.OnSendFailure(peerIndex))
        {
            _regions.Invalidate(region, RegionErrorKind.Unknown);
        }
    }
}
