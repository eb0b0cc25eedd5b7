using Google.Protobuf;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Pd.Internal;

internal sealed partial class PdClient
{
    public async Task<RegionInfo?> GetRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        var request = new GetRegionRequest { Header = NewHeader(), RegionKey = UnsafeByteOperations.UnsafeWrap(key) };
        var response = await CallAsync(PdMethods.GetRegion, request, cancellationToken).ConfigureAwait(false);
        return ToRegionInfo(response, "GetRegion");
    }

    public async Task<RegionInfo?> GetPrevRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        var request = new GetRegionRequest { Header = NewHeader(), RegionKey = UnsafeByteOperations.UnsafeWrap(key) };
        var response = await CallAsync(PdMethods.GetPrevRegion, request, cancellationToken).ConfigureAwait(false);
        return ToRegionInfo(response, "GetPrevRegion");
    }

    public async Task<RegionInfo?> GetRegionByIdAsync(ulong regionId, CancellationToken cancellationToken)
    {
        var request = new GetRegionByIDRequest { Header = NewHeader(), RegionId = regionId };
        var response = await CallAsync(PdMethods.GetRegionById, request, cancellationToken).ConfigureAwait(false);
        return ToRegionInfo(response, "GetRegionByID");
    }

    public async Task<IReadOnlyList<RegionInfo>> ScanRegionsAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey, int limit, CancellationToken cancellationToken)
    {
        var request = new ScanRegionsRequest
        {
            Header = NewHeader(),
            StartKey = UnsafeByteOperations.UnsafeWrap(startKey),
            EndKey = UnsafeByteOperations.UnsafeWrap(endKey),
            Limit = limit,
        };
        var response = await CallAsync(PdMethods.ScanRegions, request, cancellationToken).ConfigureAwait(false);
        CheckHeader(response.Header, "ScanRegions", Volatile.Read(ref _leader)?.Target ?? "PD");
        var result = new List<RegionInfo>();
        if (response.Regions.Count > 0)
        {
            foreach (var region in response.Regions)
            {
                if (region.Region_ is not null)
                {
                    result.Add(new RegionInfo(region.Region_, NullIfEmpty(region.Leader)));
                }
            }

            return result;
        }

        // Older PD versions only fill the parallel region_metas/leaders lists.
        for (var i = 0; i < response.RegionMetas.Count; i++)
        {
            var leader = i < response.Leaders.Count ? NullIfEmpty(response.Leaders[i]) : null;
            result.Add(new RegionInfo(response.RegionMetas[i], leader));
        }

        return result;
    }

    public async Task<Store?> GetStoreAsync(ulong storeId, CancellationToken cancellationToken)
    {
        var request = new GetStoreRequest { Header = NewHeader(), StoreId = storeId };
        var response = await CallAsync(PdMethods.GetStore, request, cancellationToken).ConfigureAwait(false);
        if (IsStoreNotFound(response.Header?.Error))
        {
            return null;
        }

        var error = CheckHeader(response.Header, "GetStore", Volatile.Read(ref _leader)?.Target ?? "PD");
        return error == ErrorType.Ok ? response.Store : null;
    }

    public async Task<IReadOnlyList<Store>> GetAllStoresAsync(CancellationToken cancellationToken)
    {
        var request = new GetAllStoresRequest { Header = NewHeader(), ExcludeTombstoneStores = true };
        var response = await CallAsync(PdMethods.GetAllStores, request, cancellationToken).ConfigureAwait(false);
        CheckHeader(response.Header, "GetAllStores", Volatile.Read(ref _leader)?.Target ?? "PD");
        return [.. response.Stores];
    }

    /// <summary>
    /// PD answers GetStore for an id it does not know (a store removed and purged) with an UNKNOWN header error
    /// "invalid store ID N, not found" instead of a dedicated error type. client-go recognises that text
    /// (isStoreNotFoundError) and treats the store as gone; retrying PD would only get the same answer.
    /// </summary>
    internal static bool IsStoreNotFound(Error? error) =>
        error is { Type: ErrorType.Unknown } &&
        error.Message.Contains("invalid store ID", StringComparison.Ordinal) &&
        error.Message.Contains("not found", StringComparison.Ordinal);

    private static Peer? NullIfEmpty(Peer? peer) => peer is null || (peer.Id == 0 && peer.StoreId == 0) ? null : peer;

    private RegionInfo? ToRegionInfo(GetRegionResponse response, string method)
    {
        var error = CheckHeader(response.Header, method, Volatile.Read(ref _leader)?.Target ?? "PD");
        if (error != ErrorType.Ok || response.Region is null || response.Region.Id == 0)
        {
            return null;
        }

        return new RegionInfo(response.Region, NullIfEmpty(response.Leader));
    }
}
