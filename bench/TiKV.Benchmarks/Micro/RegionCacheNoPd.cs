using TiKV.Client.Pd.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Benchmarks.Micro;

/// <summary>The PD of <see cref="RegionCacheBenchmarks"/>: every region is cached up front, so a call here is a bug in the benchmark.</summary>
internal sealed class RegionCacheNoPd : IPdClient
{
    public ulong ClusterId => 1;

    public Task<RegionInfo?> GetRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken) => throw Miss();

    public Task<RegionInfo?> GetPrevRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken) => throw Miss();

    public Task<RegionInfo?> GetRegionByIdAsync(ulong regionId, CancellationToken cancellationToken) => throw Miss();

    public Task<IReadOnlyList<RegionInfo>> ScanRegionsAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey, int limit, CancellationToken cancellationToken) => throw Miss();

    public Task<Store?> GetStoreAsync(ulong storeId, CancellationToken cancellationToken) => throw Miss();

    public Task<IReadOnlyList<Store>> GetAllStoresAsync(CancellationToken cancellationToken) => throw Miss();

    public ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken) => throw Miss();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static InvalidOperationException Miss() => new("The region cache benchmark went to PD: a lookup missed the cache.");
}
