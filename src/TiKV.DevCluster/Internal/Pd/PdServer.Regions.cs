using TiKV.DevCluster.Internal.Regions;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// Region routing. As PD's leader does, a lookup that finds no region answers with an OK header and no region;
/// the leader is the peer on the store that leads (absent when the region has no leader); peers on stores that
/// are down are listed as down peers.
/// </summary>
internal sealed partial class PdServer
{
    private GetRegionResponse GetRegion(GetRegionRequest request) => RegionResponse(_cluster.Regions.Locate(request.RegionKey.Span));

    private GetRegionResponse GetPrevRegion(GetRegionRequest request) => RegionResponse(_cluster.Regions.LocatePrevious(request.RegionKey.Span));

    private GetRegionResponse GetRegionById(GetRegionByIDRequest request) => RegionResponse(_cluster.Regions.GetById(request.RegionId));

    private ScanRegionsResponse ScanRegions(ScanRegionsRequest request)
    {
        var response = new ScanRegionsResponse { Header = Header() };
        foreach (var region in _cluster.Regions.Scan(request.StartKey.Span, request.EndKey.Span, request.Limit))
        {
            var meta = region.ToProto();
            var leader = LeaderOf(region) ?? new Peer();
            response.RegionMetas.Add(meta);
            response.Leaders.Add(leader);
            response.Regions.Add(PdRegion(region, meta, leader));
        }

        return response;
    }

    private BatchScanRegionsResponse BatchScanRegions(BatchScanRegionsRequest request)
    {
        var ranges = request.Ranges;
        for (var i = 0; i < ranges.Count; i++)
        {
            if (i > 0 && ranges[i].StartKey.Span.SequenceCompareTo(ranges[i - 1].EndKey.Span) < 0)
            {
                return new BatchScanRegionsResponse { Header = ErrorHeader(ErrorType.Unknown, "invalid key range, ranges overlapped") };
            }

            if (ranges[i].EndKey.Length > 0 && ranges[i].StartKey.Span.SequenceCompareTo(ranges[i].EndKey.Span) > 0)
            {
                return new BatchScanRegionsResponse { Header = ErrorHeader(ErrorType.Unknown, "invalid key range, start key > end key") };
            }
        }

        var response = new BatchScanRegionsResponse { Header = Header() };
        var seen = new HashSet<ulong>();
        foreach (var range in ranges)
        {
            foreach (var region in _cluster.Regions.Scan(range.StartKey.Span, range.EndKey.Span, 0))
            {
                if (request.Limit > 0 && response.Regions.Count >= request.Limit)
                {
                    return response;
                }

                if (seen.Add(region.Id))
                {
                    response.Regions.Add(PdRegion(region, region.ToProto(), LeaderOf(region) ?? new Peer()));
                }
            }
        }

        return response;
    }

    private AskBatchSplitResponse AskBatchSplit(AskBatchSplitRequest request)
    {
        if (request.Region is null)
        {
            return new AskBatchSplitResponse { Header = ErrorHeader(ErrorType.RegionNotFound, "missing region for split") };
        }

        var response = new AskBatchSplitResponse { Header = Header() };
        for (var i = 0; i < request.SplitCount; i++)
        {
            var ids = new SplitID { NewRegionId = _cluster.Ids.Next() };
            foreach (var _ in request.Region.Peers)
            {
                ids.NewPeerIds.Add(_cluster.Ids.Next());
            }

            response.Ids.Add(ids);
        }

        _cluster.SaveMetadata();
        return response;
    }

    private GetRegionResponse RegionResponse(RegionState? region)
    {
        var response = new GetRegionResponse { Header = Header() };
        if (region is null)
        {
            return response;
        }

        response.Region = region.ToProto();
        response.Leader = LeaderOf(region);
        response.DownPeers.AddRange(DownPeers(region));
        return response;
    }

    private TiKV.Proto.Pdpb.Region PdRegion(RegionState region, TiKV.Proto.Metapb.Region meta, Peer leader)
    {
        var result = new TiKV.Proto.Pdpb.Region { Region_ = meta, Leader = leader };
        result.DownPeers.AddRange(DownPeers(region));
        return result;
    }

    private static Peer? LeaderOf(RegionState region) => region.Leader is { } leader ? RegionState.ToProto(leader) : null;

    private IEnumerable<PeerStats> DownPeers(RegionState region)
    {
        var now = _cluster.Time.GetUtcNow();
        foreach (var peer in region.Peers)
        {
            if (_cluster.GetStore(peer.StoreId) is { IsUp: false } store)
            {
                var down = now - (store.DownSince ?? now);
                yield return new PeerStats { Peer = RegionState.ToProto(peer), DownSeconds = (ulong)Math.Max(0, down.TotalSeconds) };
            }
        }
    }
}
