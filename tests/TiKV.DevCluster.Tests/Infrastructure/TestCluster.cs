using Google.Protobuf;
using TiKV.Grpc;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Metapb;
using Region = TiKV.Proto.Metapb.Region;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Infrastructure;

/// <summary>A DevCluster plus gRPC channels to PD and every store, and routing helpers that use only the wire.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly Dictionary<ulong, GrpcChannel> _stores = [];

    private TestCluster(DevCluster cluster)
    {
        Cluster = cluster;
        Pd = GrpcChannel.Create(cluster.PdAddress);
    }

    public DevCluster Cluster { get; }

    public GrpcChannel Pd { get; }

    public RequestHeader Header => new() { ClusterId = Cluster.ClusterId };

    public static async Task<TestCluster> StartAsync(DevClusterOptions? options = null) =>
        new(await DevCluster.StartAsync(options ?? new DevClusterOptions()));

    public GrpcChannel Store(ulong storeId)
    {
        lock (_stores)
        {
            if (!_stores.TryGetValue(storeId, out var channel))
            {
                var address = Cluster.Stores.Single(s => s.Id == storeId).Address;
                channel = GrpcChannel.Create(address);
                _stores[storeId] = channel;
            }

            return channel;
        }
    }

    public Task<TResponse> PdCall<TRequest, TResponse>(string method, TRequest request)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Pd.UnaryAsync(Rpc.PdMethod<TRequest, TResponse>(method), request, Rpc.Short);

    public Task<TResponse> Call<TRequest, TResponse>(ulong storeId, string method, TRequest request)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Store(storeId).UnaryAsync(Rpc.Kv<TRequest, TResponse>(method), request, Rpc.Short);

    public async Task<GetRegionResponse> GetRegionAsync(byte[] key) =>
        await PdCall<GetRegionRequest, GetRegionResponse>("GetRegion", new GetRegionRequest { Header = Header, RegionKey = ByteString.CopyFrom(key) });

    /// <summary>A context addressed to <paramref name="peer"/> of <paramref name="region"/>.</summary>
    public static Context ContextFor(Region region, Peer peer) => new()
    {
        RegionId = region.Id,
        RegionEpoch = region.RegionEpoch.Clone(),
        Peer = peer.Clone(),
    };

    /// <summary>The leader context for the region PD says holds <paramref name="key"/>.</summary>
    public async Task<(Context Context, ulong StoreId, Region Region)> LeaderContextAsync(byte[] key)
    {
        var located = await GetRegionAsync(key);
        Assert.NotNull(located.Region);
        Assert.NotNull(located.Leader);
        return (ContextFor(located.Region, located.Leader), located.Leader.StoreId, located.Region);
    }

    /// <summary>A follower context (a peer that is not the leader) for the region holding <paramref name="key"/>.</summary>
    public async Task<(Context Context, ulong StoreId, Region Region)> FollowerContextAsync(byte[] key)
    {
        var located = await GetRegionAsync(key);
        var follower = located.Region.Peers.First(p => p.StoreId != located.Leader.StoreId);
        return (ContextFor(located.Region, follower), follower.StoreId, located.Region);
    }

    /// <summary>Raw put routed through PD, retrying on region errors as a client would.</summary>
    public async Task RawPutAsync(byte[] key, byte[] value, ulong ttl = 0)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (context, storeId, _) = await LeaderContextAsync(key);
            var response = await Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest
            {
                Context = context,
                Key = ByteString.CopyFrom(key),
                Value = ByteString.CopyFrom(value),
                Ttl = ttl,
            });
            if (response.RegionError is null)
            {
                Assert.Equal("", response.Error);
                return;
            }

            Assert.True(attempt < 100, $"RawPut kept failing: {response.RegionError}");
            await Task.Delay(20);
        }
    }

    /// <summary>Raw get routed through PD, retrying on region errors.</summary>
    public async Task<byte[]?> RawGetAsync(byte[] key)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (context, storeId, _) = await LeaderContextAsync(key);
            var response = await Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = ByteString.CopyFrom(key) });
            if (response.RegionError is null)
            {
                Assert.Equal("", response.Error);
                return response.NotFound ? null : response.Value.ToByteArray();
            }

            Assert.True(attempt < 100, $"RawGet kept failing: {response.RegionError}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (bounded), for state that changes in the background.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _stores.Values)
        {
            await channel.DisposeAsync();
        }

        await Pd.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
