using System.Net.Sockets;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class StoreLifecycleTests
{
    private static async Task<bool> AcceptsConnectionsAsync(string address)
    {
        var colon = address.LastIndexOf(':');
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..]));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Killed_store_refuses_connections_its_regions_elect_new_leaders_and_data_survives()
    {
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { ElectionTimeout = TimeSpan.FromMilliseconds(200) });
        for (var i = 0; i < 20; i++)
        {
            await t.RawPutAsync(Rpc.Bytes($"k{i:D2}"), Rpc.Bytes($"v{i}"));
        }

        var (_, leaderStore, region) = await t.LeaderContextAsync(Rpc.Bytes("k00"));
        var leaderInfo = t.Cluster.Stores.Single(s => s.Id == leaderStore);
        await t.Cluster.KillStoreAsync(leaderStore);

        Assert.False(await AcceptsConnectionsAsync(leaderInfo.Address));
        Assert.False(await AcceptsConnectionsAsync(leaderInfo.StatusAddress));
        Assert.Equal(DevStoreState.Disconnected, t.Cluster.Stores.Single(s => s.Id == leaderStore).State);

        await TestCluster.EventuallyAsync(
            () => t.Cluster.GetRegions().Single(r => r.Id == region.Id).LeaderStoreId is var leader && leader != leaderStore && leader != 0,
            "a new leader on a live peer");

        // PD reports the dead peer as down and the store's heartbeat stops.
        var located = await t.GetRegionAsync(Rpc.Bytes("k00"));
        Assert.NotEqual(leaderStore, located.Leader.StoreId);
        Assert.Contains(located.DownPeers, d => d.Peer.StoreId == leaderStore);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"v{i}", System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes($"k{i:D2}")))!));
        }

        await t.RawPutAsync(Rpc.Bytes("while-down"), Rpc.Bytes("x"));

        await t.Cluster.RestartStoreAsync(leaderStore);
        var restarted = t.Cluster.Stores.Single(s => s.Id == leaderStore);
        Assert.Equal(leaderInfo.Address, restarted.Address);
        Assert.Equal(DevStoreState.Up, restarted.State);
        Assert.True(await AcceptsConnectionsAsync(restarted.Address));

        // The restarted store serves requests again (the old channel reconnects to the same port).
        var store = await t.PdCall<GetStoreRequest, GetStoreResponse>("GetStore", new GetStoreRequest { Header = t.Header, StoreId = leaderStore });
        Assert.Equal(restarted.Address, store.Store.Address);
        var follower = await t.GetRegionAsync(Rpc.Bytes("while-down"));
        var peerOnRestarted = follower.Region.Peers.Single(p => p.StoreId == leaderStore);
        var context = TestCluster.ContextFor(follower.Region, peerOnRestarted);
        context.ReplicaRead = true;
        var read = await t.Call<RawGetRequest, RawGetResponse>(leaderStore, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("while-down") });
        Assert.Null(read.RegionError);
        Assert.Equal("x", read.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Losing_a_quorum_leaves_regions_leaderless_until_a_store_returns()
    {
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { ElectionTimeout = TimeSpan.FromMilliseconds(100) });
        await t.RawPutAsync(Rpc.Bytes("q"), Rpc.Bytes("1"));
        var stores = t.Cluster.Stores.Select(s => s.Id).ToList();
        await t.Cluster.StopStoreAsync(stores[0]);
        await t.Cluster.StopStoreAsync(stores[1]);
        await TestCluster.EventuallyAsync(() => t.Cluster.GetRegions()[0].LeaderStoreId == 0, "no leader without a quorum");

        var region = (await t.GetRegionAsync(Rpc.Bytes("q"))).Region;
        var context = TestCluster.ContextFor(region, region.Peers.Single(p => p.StoreId == stores[2]));
        var response = await t.Call<RawGetRequest, RawGetResponse>(stores[2], "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("q") });
        Assert.NotNull(response.RegionError.NotLeader);
        Assert.Null(response.RegionError.NotLeader.Leader);

        await t.Cluster.RestartStoreAsync(stores[0]);
        await TestCluster.EventuallyAsync(() => t.Cluster.GetRegions()[0].LeaderStoreId != 0, "a leader once a quorum is back");
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes("q")))!));
    }

    [Fact]
    public async Task Leaders_are_balanced_across_stores_after_splits_and_restarts()
    {
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { ElectionTimeout = TimeSpan.FromMilliseconds(100) });
        foreach (var key in new[] { "b", "d", "f", "h", "j" })
        {
            await t.Cluster.SplitRegionAsync(Rpc.Bytes(key));
        }

        static int Spread(IReadOnlyList<DevRegionInfo> regions) =>
            regions.GroupBy(r => r.LeaderStoreId).Select(g => g.Count()).Max() - regions.GroupBy(r => r.LeaderStoreId).Select(g => g.Count()).Min();
        Assert.Equal(3, t.Cluster.GetRegions().Select(r => r.LeaderStoreId).Distinct().Count());
        Assert.True(Spread(t.Cluster.GetRegions()) <= 1);

        var victim = t.Cluster.Stores[0].Id;
        await t.Cluster.StopStoreAsync(victim);
        await TestCluster.EventuallyAsync(() => t.Cluster.GetRegions().All(r => r.LeaderStoreId != victim), "leaders leave the stopped store");
        await t.Cluster.RestartStoreAsync(victim);
        Assert.Contains(t.Cluster.GetRegions(), r => r.LeaderStoreId == victim);
        Assert.True(Spread(t.Cluster.GetRegions()) <= 1);
    }

    [Fact]
    public async Task Store_down_longer_than_the_threshold_is_reported_down()
    {
        var time = new OffsetTimeProvider();
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { TimeProvider = time, StoreDownAfter = TimeSpan.FromMinutes(30) });
        var id = t.Cluster.Stores[2].Id;
        await t.Cluster.StopStoreAsync(id);
        Assert.Equal(DevStoreState.Disconnected, t.Cluster.Stores[2].State);
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(DevStoreState.Down, t.Cluster.Stores[2].State);
        var store = await t.PdCall<GetStoreRequest, GetStoreResponse>("GetStore", new GetStoreRequest { Header = t.Header, StoreId = id });
        var lastHeartbeat = DateTimeOffset.UnixEpoch.AddTicks(store.Store.LastHeartbeat / 100);
        Assert.True(time.GetUtcNow() - lastHeartbeat > TimeSpan.FromMinutes(30));
    }
}
