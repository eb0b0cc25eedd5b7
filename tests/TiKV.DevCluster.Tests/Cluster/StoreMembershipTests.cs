using System.Net.Sockets;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class StoreMembershipTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-devcluster-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

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

    private static async Task<TestCluster> StartSplitAsync(DevClusterOptions options, int regions)
    {
        var t = await TestCluster.StartAsync(options);
        for (var i = 1; i < regions; i++)
        {
            await t.Cluster.SplitRegionAsync(Rpc.Bytes($"k{i:D2}"));
        }

        for (var i = 0; i < regions; i++)
        {
            await t.RawPutAsync(Rpc.Bytes($"k{i:D2}-x"), Rpc.Bytes($"v{i}"));
        }

        return t;
    }

    private static Task<GetStoreResponse> GetStoreAsync(TestCluster t, ulong storeId) =>
        t.PdCall<GetStoreRequest, GetStoreResponse>("GetStore", new GetStoreRequest { Header = t.Header, StoreId = storeId });

    [Fact]
    public async Task Removing_a_store_needs_enough_stores_left_for_every_replica()
    {
        await using var t = await TestCluster.StartAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => t.Cluster.RemoveStoreAsync(t.Cluster.Stores[0].Id));
        Assert.Equal($"can not remove store {t.Cluster.Stores[0].Id} since the number of up stores would be 2 while need 3", error.Message);
        Assert.Equal(DevStoreState.Up, t.Cluster.Stores[0].State);
        await Assert.ThrowsAsync<ArgumentException>(() => t.Cluster.RemoveStoreAsync(999));
    }

    [Fact]
    public async Task A_removed_store_goes_offline_hands_its_peers_over_with_conf_changes_and_ends_tombstone()
    {
        await using var t = await StartSplitAsync(new DevClusterOptions { StoreCount = 4, BalanceRegions = false }, regions: 6);
        var victim = t.Cluster.Stores[0];
        var before = t.Cluster.GetRegions();
        Assert.All(before, r => Assert.Contains(victim.Id, r.PeerStoreIds));
        var leaders = new List<(Context Context, ulong StoreId, string Key)>();
        for (var i = 0; i < 6; i++)
        {
            var located = await t.LeaderContextAsync(Rpc.Bytes($"k{i:D2}-x"));
            leaders.Add((located.Context, located.StoreId, $"k{i:D2}-x"));
        }

        var stale = leaders.First(l => l.StoreId != victim.Id);
        var staleKey = stale.Key;

        // The only store that can take the peers is down: the removal cannot progress and the store stays Offline.
        var spare = t.Cluster.Stores[3].Id;
        await t.Cluster.StopStoreAsync(spare);
        var removal = t.Cluster.RemoveStoreAsync(victim.Id);
        Assert.Equal(DevStoreState.Offline, t.Cluster.Stores[0].State);
        var offline = await GetStoreAsync(t, victim.Id);
        Assert.Equal(StoreState.Offline, offline.Store.State);
        Assert.Equal(NodeState.Removing, offline.Store.NodeState);
        await Task.Delay(100);
        Assert.False(removal.IsCompleted);
        Assert.Equal(before.Select(r => r.ConfVer), t.Cluster.GetRegions().Select(r => r.ConfVer));

        await t.Cluster.RestartStoreAsync(spare);
        await removal;

        Assert.Equal(DevStoreState.Tombstone, t.Cluster.Stores[0].State);
        var after = t.Cluster.GetRegions();
        Assert.Equal(before.Select(r => r.Id), after.Select(r => r.Id));
        foreach (var (old, now) in before.Zip(after))
        {
            Assert.DoesNotContain(victim.Id, now.PeerStoreIds);
            Assert.Contains(spare, now.PeerStoreIds);
            Assert.NotEqual(victim.Id, now.LeaderStoreId);
            Assert.Equal(old.ConfVer + 6, now.ConfVer);
            Assert.Equal(old.Version, now.Version);
            var added = now.PeerIds[now.PeerStoreIds.ToList().IndexOf(spare)];
            Assert.DoesNotContain(added, before.SelectMany(r => r.PeerIds));
        }

        // PD reports the store as removed; the store itself is gone.
        var tombstone = await GetStoreAsync(t, victim.Id);
        Assert.Null(tombstone.Header.Error);
        Assert.Equal(StoreState.Tombstone, tombstone.Store.State);
        Assert.Equal(NodeState.Removed, tombstone.Store.NodeState);
        var all = await t.PdCall<GetAllStoresRequest, GetAllStoresResponse>("GetAllStores", new GetAllStoresRequest { Header = t.Header });
        Assert.Contains(all.Stores, s => s.Id == victim.Id);
        var live = await t.PdCall<GetAllStoresRequest, GetAllStoresResponse>("GetAllStores", new GetAllStoresRequest { Header = t.Header, ExcludeTombstoneStores = true });
        Assert.DoesNotContain(live.Stores, s => s.Id == victim.Id);
        var heartbeat = await t.PdCall<StoreHeartbeatRequest, StoreHeartbeatResponse>("StoreHeartbeat", new StoreHeartbeatRequest { Header = t.Header, Stats = new StoreStats { StoreId = victim.Id } });
        Assert.Equal(ErrorType.StoreTombstone, heartbeat.Header.Error.Type);
        Assert.False(await AcceptsConnectionsAsync(victim.Address));
        await Assert.ThrowsAsync<InvalidOperationException>(() => t.Cluster.RestartStoreAsync(victim.Id));

        // TiKV compares only the version of an ordinary request's epoch (conf_ver matters to admin commands): a
        // client still holding the pre-removal conf_ver is served by the leader.
        Assert.True(t.Cluster.GetRegions().Single(r => r.Id == stale.Context.RegionId).ConfVer > stale.Context.RegionEpoch.ConfVer);
        var read = await t.Call<RawGetRequest, RawGetResponse>(stale.StoreId, "RawGet", new RawGetRequest { Context = stale.Context, Key = Rpc.B(staleKey) });
        Assert.Null(read.RegionError);
        Assert.Equal("v" + staleKey[2], read.Value.ToStringUtf8());
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal($"v{i}", System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes($"k{i:D2}-x")))!));
        }
    }

    [Fact]
    public async Task A_peer_that_moved_away_answers_region_not_found_on_the_leaving_store()
    {
        // No elections during the test: regions led by a stopped store keep that leader, and without a live leader
        // no conf change can be proposed, so those regions cannot move yet.
        var options = new DevClusterOptions { StoreCount = 4, BalanceRegions = false, ElectionTimeout = TimeSpan.FromHours(1) };
        await using var t = await StartSplitAsync(options, regions: 12);
        var victim = t.Cluster.Stores[1].Id;
        var stuck = t.Cluster.Stores[0].Id;
        var regionsBefore = t.Cluster.GetRegions();
        Assert.Contains(regionsBefore, r => r.LeaderStoreId == stuck);
        Assert.Contains(regionsBefore, r => r.LeaderStoreId != stuck);
        var contexts = new List<(Context Context, ulong RegionId)>();
        foreach (var region in regionsBefore)
        {
            var located = await t.GetRegionAsync(region.StartKey.ToArray());
            contexts.Add((TestCluster.ContextFor(located.Region, located.Region.Peers.Single(p => p.StoreId == victim)), region.Id));
        }

        await t.Cluster.StopStoreAsync(stuck);
        var removal = t.Cluster.RemoveStoreAsync(victim);
        var ledByStuck = regionsBefore.Where(r => r.LeaderStoreId == stuck).Select(r => r.Id).ToHashSet();
        await TestCluster.EventuallyAsync(
            () => t.Cluster.GetRegions().Where(r => r.PeerStoreIds.Contains(victim)).Select(r => r.Id).ToHashSet().SetEquals(ledByStuck),
            "every region with a live leader moved its peer off the leaving store");
        Assert.False(removal.IsCompleted);
        Assert.Equal(DevStoreState.Offline, t.Cluster.Stores.Single(s => s.Id == victim).State);

        foreach (var (context, regionId) in contexts)
        {
            context.ReplicaRead = true;
            var response = await t.Call<RawGetRequest, RawGetResponse>(victim, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("k") });
            if (ledByStuck.Contains(regionId))
            {
                // Still a peer here; its leader is down, so the follower cannot serve a replica read.
                Assert.NotNull(response.RegionError.NotLeader);
            }
            else
            {
                Assert.Equal(regionId, response.RegionError.RegionNotFound.RegionId);
            }
        }

        await t.Cluster.RestartStoreAsync(stuck);
        await removal;
        Assert.Equal(DevStoreState.Tombstone, t.Cluster.Stores.Single(s => s.Id == victim).State);
    }

    [Fact]
    public async Task A_new_store_receives_peers_and_leaders_with_conf_changes()
    {
        await using var t = await StartSplitAsync(new DevClusterOptions { BalanceRegions = false }, regions: 8);
        var before = t.Cluster.GetRegions().ToDictionary(r => r.Id);

        var added = await t.Cluster.AddStoreAsync();
        Assert.Equal(DevStoreState.Up, added.State);
        Assert.True(added.Id > t.Cluster.Stores.Take(3).Max(s => s.Id));
        Assert.Equal(4, t.Cluster.Stores.Count);
        var registered = await GetStoreAsync(t, added.Id);
        Assert.Equal(added.Address, registered.Store.Address);
        Assert.True(await AcceptsConnectionsAsync(added.Address));

        await t.Cluster.BalanceAsync();
        var regions = t.Cluster.GetRegions();
        var peersPerStore = t.Cluster.Stores.Select(s => regions.Count(r => r.PeerStoreIds.Contains(s.Id))).ToList();
        Assert.True(peersPerStore.Max() - peersPerStore.Min() <= 1, string.Join(",", peersPerStore));
        Assert.Contains(regions, r => r.LeaderStoreId == added.Id);
        foreach (var region in regions)
        {
            var expected = before[region.Id].ConfVer + (region.PeerStoreIds.Contains(added.Id) ? 6UL : 0UL);
            Assert.Equal(expected, region.ConfVer);
        }

        for (var i = 0; i < 8; i++)
        {
            Assert.Equal($"v{i}", System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes($"k{i:D2}-x")))!));
        }
    }

    [Fact]
    public async Task Regions_balance_onto_a_new_store_in_the_background()
    {
        await using var t = await StartSplitAsync(new DevClusterOptions(), regions: 6);
        var added = await t.Cluster.AddStoreAsync();
        await TestCluster.EventuallyAsync(
            () => t.Cluster.GetRegions().Count(r => r.PeerStoreIds.Contains(added.Id)) >= 4,
            "the new store holds its share of peers");
        await t.Cluster.RemoveStoreAsync(added.Id);
        Assert.All(t.Cluster.GetRegions(), r => Assert.Equal(3, r.PeerStoreIds.Count));
    }

    [Fact]
    public async Task Store_states_survive_a_restart_of_a_durable_cluster()
    {
        ulong removed, joined;
        await using (var t = await StartSplitAsync(new DevClusterOptions { StoreCount = 4, DataDirectory = _directory }, regions: 3))
        {
            removed = t.Cluster.Stores[0].Id;
            await t.Cluster.RemoveStoreAsync(removed);
            joined = (await t.Cluster.AddStoreAsync()).Id;
        }

        await using var reopened = await TestCluster.StartAsync(new DevClusterOptions { StoreCount = 4, DataDirectory = _directory });
        Assert.Equal(DevStoreState.Tombstone, reopened.Cluster.Stores.Single(s => s.Id == removed).State);
        Assert.Equal(DevStoreState.Up, reopened.Cluster.Stores.Single(s => s.Id == joined).State);
        Assert.All(reopened.Cluster.GetRegions(), r => Assert.DoesNotContain(removed, r.PeerStoreIds));
        Assert.Equal("v1", System.Text.Encoding.UTF8.GetString((await reopened.RawGetAsync(Rpc.Bytes("k01-x")))!));
    }
}
