using Google.Protobuf;
using TiKV.Client.Pd.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Tests.Fakes;

/// <summary>An in-memory PD: a list of regions and stores, with call counters and an optional gate on lookups.</summary>
internal sealed class FakePdClient : IPdClient
{
    private readonly object _gate = new();
    private readonly List<RegionInfo> _regions = [];
    private readonly Dictionary<ulong, Store> _stores = [];
    private ulong _tso = 1UL << 18;
    private int _getRegionCalls;
    private int _getStoreCalls;

    public ulong ClusterId => 7;

    public int GetRegionCalls => Volatile.Read(ref _getRegionCalls);

    public int GetStoreCalls => Volatile.Read(ref _getStoreCalls);

    /// <summary>When set, region lookups wait for it (to line up concurrent misses).</summary>
    public TaskCompletionSource? LookupGate { get; set; }

    public static Region MakeRegion(ulong id, string start, string end, ulong version = 1, params ulong[] stores)
    {
        var region = new Region
        {
            Id = id,
            StartKey = ByteString.CopyFromUtf8(start),
            EndKey = ByteString.CopyFromUtf8(end),
            RegionEpoch = new RegionEpoch { ConfVer = 1, Version = version },
        };
        var storeIds = stores.Length == 0 ? [1UL] : stores;
        foreach (var store in storeIds)
        {
            region.Peers.Add(new Peer { Id = id * 100 + store, StoreId = store });
        }

        return region;
    }

    public void AddStore(ulong id, string address)
    {
        lock (_gate)
        {
            _stores[id] = new Store { Id = id, Address = address };
        }
    }

    /// <summary>Replaces the region set (e.g. after a simulated split).</summary>
    public void SetRegions(params (Region Region, ulong LeaderStore)[] regions)
    {
        lock (_gate)
        {
            _regions.Clear();
            foreach (var (region, leaderStore) in regions)
            {
                _regions.Add(new RegionInfo(region, region.Peers.First(p => p.StoreId == leaderStore)));
            }

            _regions.Sort((a, b) => a.Meta.StartKey.Span.SequenceCompareTo(b.Meta.StartKey.Span));
        }
    }

    public async Task<RegionInfo?> GetRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _getRegionCalls);
        if (LookupGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        lock (_gate)
        {
            return _regions.FirstOrDefault(r => Contains(r.Meta, key.Span));
        }
    }

    public Task<RegionInfo?> GetPrevRegionAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _getRegionCalls);
        lock (_gate)
        {
            var index = _regions.FindIndex(r => Contains(r.Meta, key.Span));
            return Task.FromResult(index > 0 ? _regions[index - 1] : null);
        }
    }

    public Task<RegionInfo?> GetRegionByIdAsync(ulong regionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_regions.FirstOrDefault(r => r.Meta.Id == regionId));
        }
    }

    public Task<IReadOnlyList<RegionInfo>> ScanRegionsAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var start = startKey.ToArray();
            IReadOnlyList<RegionInfo> result = _regions
                .Where(r => r.Meta.EndKey.IsEmpty || r.Meta.EndKey.Span.SequenceCompareTo(start) > 0)
                .Take(limit)
                .ToList();
            return Task.FromResult(result);
        }
    }

    /// <summary>Called with the id of every store lookup before it is answered (to change the cluster mid-request).</summary>
    public Action<ulong>? OnGetStore { get; set; }

    public Task<Store?> GetStoreAsync(ulong storeId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _getStoreCalls);
        OnGetStore?.Invoke(storeId);
        lock (_gate)
        {
            return Task.FromResult(_stores.GetValueOrDefault(storeId));
        }
    }

    public Task<IReadOnlyList<Store>> GetAllStoresAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<Store> stores = _stores.Values.ToList();
            return Task.FromResult(stores);
        }
    }

    public ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken) => new(Interlocked.Increment(ref _tso));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static bool Contains(Region region, ReadOnlySpan<byte> key) =>
        key.SequenceCompareTo(region.StartKey.Span) >= 0 && (region.EndKey.IsEmpty || key.SequenceCompareTo(region.EndKey.Span) < 0);
}
