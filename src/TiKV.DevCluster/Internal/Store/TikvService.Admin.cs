using TiKV.DevCluster.Internal.Keys;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>Region administration and maintenance RPCs: SplitRegion, UnsafeDestroyRange, GetHealthFeedback.</summary>
internal sealed partial class TikvService
{
    private long _feedbackSequence;

    /// <summary>
    /// TiKV's SplitRegion: raw keys split as they are, transactional keys in their encoded form; the keys are
    /// validated as raftstore does (<c>validate_split_region</c> then the split observer), and the resulting
    /// regions are returned left to right (<c>left</c>/<c>right</c> too when there are exactly two).
    /// </summary>
    private ValueTask<SplitRegionResponse> SplitRegionAsync(SplitRegionRequest request, CancellationToken cancellationToken)
    {
        var response = new SplitRegionResponse();
        var regionId = request.Context?.RegionId ?? 0;
        var region = _cluster.Regions.GetById(regionId);
        if (region?.PeerOn(_store.Id) is not { } peer)
        {
            response.RegionError = RegionErrors.RegionNotFound(regionId);
            return ValueTask.FromResult(response);
        }

        // The deprecated single split_key still takes precedence over split_keys, as in TiKV.
#pragma warning disable CS0612
        List<Google.Protobuf.ByteString> rawKeys = request.SplitKey.Length != 0 ? [request.SplitKey] : [.. request.SplitKeys];
#pragma warning restore CS0612
        var keys = rawKeys.Select(k => request.IsRawKv ? k.ToByteArray() : KeyCodec.Encode(k.Span)).Order(KeyComparer.Instance).ToList();
        if (keys.Count == 0)
        {
            response.RegionError = RegionErrors.Message($"\"[region {region.Id}] {peer.PeerId} no split key is specified.\"");
            return ValueTask.FromResult(response);
        }

        if (region.LeaderStoreId != _store.Id)
        {
            response.RegionError = RegionErrors.NotLeader(region.Id, region.Leader);
            return ValueTask.FromResult(response);
        }

        var epoch = request.Context!.RegionEpoch;
        if ((epoch?.Version ?? 0) != region.Version)
        {
            var error = RegionErrors.EpochNotMatch(region, epoch, [region]);
            error.Message = $"[region {region.Id}] {peer.PeerId} epoch changed conf_ver: {region.ConfVer} version: {region.Version} != " +
                $"conf_ver: {epoch?.ConfVer ?? 0} version: {epoch?.Version ?? 0}, retry later";
            response.RegionError = error;
            return ValueTask.FromResult(response);
        }

        foreach (var key in keys)
        {
            if (key.Length == 0)
            {
                response.RegionError = RegionErrors.Message($"\"[region {region.Id}] {peer.PeerId} split key should not be empty\"");
                return ValueTask.FromResult(response);
            }

            if (!region.Contains(key))
            {
                response.RegionError = RegionErrors.KeyNotInRegion(key, region);
                return ValueTask.FromResult(response);
            }
        }

        if (!_cluster.IsPdUp)
        {
            // TiKV asks PD for the new region and peer ids; when that fails the split's callback is dropped and the
            // RPC reports the failure as a message-only region error.
            response.RegionError = RegionErrors.Message($"failed to split: region {region.Id}: PD is unavailable, cannot allocate ids for the new regions");
            return ValueTask.FromResult(response);
        }

        var regions = _cluster.Split(region.Id, keys, region.Version);
        if (regions.Count == 0)
        {
            // Every key sat on the region's start boundary (or the region changed meanwhile).
            response.RegionError = RegionErrors.Message("\"no valid key found for split.\"");
            return ValueTask.FromResult(response);
        }

        foreach (var part in regions)
        {
            response.Regions.Add(part.ToProto());
        }

        if (regions.Count == 2)
        {
            // TiKV still fills the deprecated left/right fields for a two-way split.
#pragma warning disable CS0612
            response.Left = regions[0].ToProto();
            response.Right = regions[1].ToProto();
#pragma warning restore CS0612
        }

        return ValueTask.FromResult(response);
    }

    /// <summary>
    /// TiKV's UnsafeDestroyRange: deletes every column family of the transactional key space in the encoded range,
    /// on all stores, without region checks. TiKV asserts both keys are non-empty; here an empty key is reported as
    /// an error instead of bringing the store down.
    /// </summary>
    private async ValueTask<UnsafeDestroyRangeResponse> UnsafeDestroyRangeAsync(UnsafeDestroyRangeRequest request, CancellationToken cancellationToken)
    {
        if (request.StartKey.IsEmpty || request.EndKey.IsEmpty)
        {
            return new UnsafeDestroyRangeResponse { Error = "unsafe destroy range needs a non-empty start key and end key" };
        }

        var result = await _cluster.Txn.DeleteRangeAsync(
            new DeleteRangeRequest { Context = request.Context, StartKey = request.StartKey, EndKey = request.EndKey },
            cancellationToken).ConfigureAwait(false);
        return new UnsafeDestroyRangeResponse { Error = result.Error };
    }

    /// <summary>TiKV's health feedback: the store id, a sequence number and its slow score (1 = healthy).</summary>
    private ValueTask<GetHealthFeedbackResponse> GetHealthFeedbackAsync(GetHealthFeedbackRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new GetHealthFeedbackResponse { HealthFeedback = HealthFeedback() });

    private HealthFeedback HealthFeedback() => new()
    {
        StoreId = _store.Id,
        FeedbackSeqNo = (ulong)Interlocked.Increment(ref _feedbackSequence),
        SlowScore = 1,
    };
}
