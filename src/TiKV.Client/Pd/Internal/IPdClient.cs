using TiKV.Proto.Metapb;

namespace TiKV.Client.Pd.Internal;

/// <summary>What the rest of the client needs from PD. Lookups return null when PD has no such region/store.</summary>
internal interface IPdClient : IAsyncDisposable
{
    ulong ClusterId { get; }

    Task<RegionInfo?> GetRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken);

    /// <summary>The region before the one that contains <paramref name="key"/> (PD's GetPrevRegion).</summary>
    Task<RegionInfo?> GetPrevRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken);

    Task<RegionInfo?> GetRegionByIdAsync(ulong regionId, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegionInfo>> ScanRegionsAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey, int limit, CancellationToken cancellationToken);

    Task<Store?> GetStoreAsync(ulong storeId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Store>> GetAllStoresAsync(CancellationToken cancellationToken);

    ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken);
}
