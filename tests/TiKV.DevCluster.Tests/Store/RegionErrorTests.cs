using Google.Protobuf;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Tests.Store;

public sealed class RegionErrorTests : IAsyncLifetime
{
    private TestCluster _t = null!;

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync(new DevClusterOptions { BalanceLeaders = false });

    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Follower_answers_NotLeader_with_the_leader_peer()
    {
        var (context, storeId, region) = await _t.FollowerContextAsync(Rpc.Bytes("k"));
        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("k") });
        var notLeader = response.RegionError.NotLeader;
        Assert.NotNull(notLeader);
        Assert.Equal(region.Id, notLeader.RegionId);
        var leader = (await _t.GetRegionAsync(Rpc.Bytes("k"))).Leader;
        Assert.Equal(leader, notLeader.Leader);
        Assert.StartsWith($"peer is not leader for region {region.Id}, leader may Some(", response.RegionError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replica_read_is_served_by_a_follower_but_writes_are_not()
    {
        await _t.RawPutAsync(Rpc.Bytes("rr"), Rpc.Bytes("v"));
        var (context, storeId, _) = await _t.FollowerContextAsync(Rpc.Bytes("rr"));
        context.ReplicaRead = true;
        var read = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("rr") });
        Assert.Null(read.RegionError);
        Assert.Equal("v", read.Value.ToStringUtf8());

        var write = await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("rr"), Value = Rpc.B("w") });
        Assert.NotNull(write.RegionError.NotLeader);
    }

    [Fact]
    public async Task Stale_epoch_gets_EpochNotMatch_with_the_current_region_and_its_split_sibling()
    {
        var (staleContext, storeId, before) = await _t.LeaderContextAsync(Rpc.Bytes("z"));
        var right = await _t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
        Assert.Equal(before.Id, right.Id);
        Assert.Equal(before.RegionEpoch.Version + 1, right.Version);

        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = staleContext, Key = Rpc.B("z") });
        var epochNotMatch = response.RegionError.EpochNotMatch;
        Assert.NotNull(epochNotMatch);
        Assert.Equal(2, epochNotMatch.CurrentRegions.Count);
        var current = epochNotMatch.CurrentRegions[0];
        Assert.Equal(before.Id, current.Id);
        Assert.Equal(Rpc.B("m"), current.StartKey);
        Assert.Equal(right.Version, current.RegionEpoch.Version);
        var sibling = epochNotMatch.CurrentRegions[1];
        Assert.Empty(sibling.StartKey);
        Assert.Equal(Rpc.B("m"), sibling.EndKey);
        Assert.StartsWith($"EpochNotMatch current epoch of region {before.Id} is conf_ver: 1 version: 2", response.RegionError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_epoch_is_a_message_only_region_error()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        context.RegionEpoch = null;
        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Equal("\"missing epoch!\"", response.RegionError.Message);
        Assert.Null(response.RegionError.EpochNotMatch);
    }

    [Fact]
    public async Task Unknown_region_gets_RegionNotFound()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        context.RegionId = 99999;
        var response = await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("a"), Value = Rpc.B("b") });
        Assert.Equal(99999UL, response.RegionError.RegionNotFound.RegionId);
        Assert.Equal("region 99999 not found", response.RegionError.Message);
    }

    [Fact]
    public async Task Request_for_another_store_gets_StoreNotMatch()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var other = _t.Cluster.Stores.First(s => s.Id != storeId).Id;
        var response = await _t.Call<RawGetRequest, RawGetResponse>(other, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Equal(storeId, response.RegionError.StoreNotMatch.RequestStoreId);
        Assert.Equal(other, response.RegionError.StoreNotMatch.ActualStoreId);

        var noContext = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Key = Rpc.B("a") });
        Assert.Equal(0UL, noContext.RegionError.StoreNotMatch.RequestStoreId);
    }

    [Fact]
    public async Task Wrong_peer_id_gets_MismatchPeerId()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var actual = context.Peer.Id;
        context.Peer.Id = 123456;
        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Equal(123456UL, response.RegionError.MismatchPeerId.RequestPeerId);
        Assert.Equal(actual, response.RegionError.MismatchPeerId.StorePeerId);
    }

    [Fact]
    public async Task Keys_outside_the_region_are_rejected_never_served()
    {
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
        var (context, storeId, region) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        Assert.Equal(Rpc.B("m"), region.EndKey);

        var put = await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("x"), Value = Rpc.B("v") });
        var keyNotInRegion = put.RegionError.KeyNotInRegion;
        Assert.Equal(Rpc.B("x"), keyNotInRegion.Key);
        Assert.Equal(region.Id, keyNotInRegion.RegionId);
        Assert.Empty(keyNotInRegion.StartKey);
        Assert.Equal(Rpc.B("m"), keyNotInRegion.EndKey);

        // A batch spanning two regions is rejected as a whole: nothing of it is written.
        var batch = await _t.Call<RawBatchPutRequest, RawBatchPutResponse>(storeId, "RawBatchPut", new RawBatchPutRequest
        {
            Context = context,
            Pairs = { new KvPair { Key = Rpc.B("b"), Value = Rpc.B("1") }, new KvPair { Key = Rpc.B("y"), Value = Rpc.B("2") } },
        });
        Assert.NotNull(batch.RegionError.KeyNotInRegion);
        Assert.Null(await _t.RawGetAsync(Rpc.Bytes("b")));

        // Point reads report TiKV's engine error string; scans seeking outside report KeyNotInRegion.
        var get = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("x") });
        Assert.Null(get.RegionError);
        Assert.Contains("is out of [region", get.Error, StringComparison.Ordinal);
        var scan = await _t.Call<RawScanRequest, RawScanResponse>(storeId, "RawScan", new RawScanRequest { Context = context, StartKey = Rpc.B("x"), Limit = 10 });
        Assert.NotNull(scan.RegionError.KeyNotInRegion);

        // A scan starting inside stops at the region's end.
        await _t.RawPutAsync(Rpc.Bytes("c"), Rpc.Bytes("1"));
        await _t.RawPutAsync(Rpc.Bytes("q"), Rpc.Bytes("2"));
        var clipped = await _t.Call<RawScanRequest, RawScanResponse>(storeId, "RawScan", new RawScanRequest { Context = context, StartKey = Rpc.B("a"), Limit = 10 });
        Assert.Equal([Rpc.B("c")], clipped.Kvs.Select(k => k.Key));

        // Transactional keys are checked in their encoded form; a scan start outside is KeyNotInRegion.
        var txnScan = await _t.Call<ScanRequest, ScanResponse>(storeId, "KvScan", new ScanRequest { Context = context, StartKey = Rpc.B("x"), Limit = 10, Version = 10 });
        Assert.Equal(ByteString.CopyFrom(KeyCodec.Encode(Rpc.Bytes("x"))), txnScan.RegionError.KeyNotInRegion.Key);
    }

    [Fact]
    public async Task Transactional_region_boundaries_compare_encoded_keys()
    {
        var boundary = KeyCodec.Encode(Rpc.Bytes("key5"));
        await _t.Cluster.SplitRegionAsync(boundary);
        var (context, storeId, region) = await _t.LeaderContextAsync(KeyCodec.Encode(Rpc.Bytes("key1")));
        Assert.Equal(ByteString.CopyFrom(boundary), region.EndKey);

        var inside = await _t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = Rpc.B("key1"), Version = 100 });
        Assert.Null(inside.RegionError);
        Assert.Null(inside.Error);
        Assert.True(inside.NotFound);

        var outside = await _t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = Rpc.B("key7"), Version = 100 });
        Assert.Contains("is out of [region", outside.Error.Abort, StringComparison.Ordinal);

        var prewrite = await _t.Call<PrewriteRequest, PrewriteResponse>(storeId, "KvPrewrite", new PrewriteRequest
        {
            Context = context,
            PrimaryLock = Rpc.B("key1"),
            StartVersion = 100,
            LockTtl = 3000,
            Mutations = { new Mutation { Op = Op.Put, Key = Rpc.B("key1"), Value = Rpc.B("v") }, new Mutation { Op = Op.Put, Key = Rpc.B("key9"), Value = Rpc.B("v") } },
        });
        Assert.Null(prewrite.RegionError);
        Assert.Contains("is out of [region", Assert.Single(prewrite.Errors).Abort, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_term_gets_StaleCommand()
    {
        var (context, storeId, region) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var followers = region.Peers.Where(p => p.StoreId != storeId).ToList();
        await _t.Cluster.TransferLeaderAsync(region.Id, followers[0].StoreId);
        await _t.Cluster.TransferLeaderAsync(region.Id, followers[1].StoreId);
        await _t.Cluster.TransferLeaderAsync(region.Id, storeId);

        context.Term = 1;
        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.NotNull(response.RegionError.StaleCommand);
    }

    [Fact]
    public async Task Wrong_cluster_id_in_context_is_rejected_with_invalid_argument()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        context.ClusterId = _t.Cluster.ClusterId + 1;
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        context.ClusterId = _t.Cluster.ClusterId;
        var ok = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Null(ok.RegionError);
    }

    [Fact]
    public async Task Leader_transfer_keeps_the_epoch_and_moves_NotLeader()
    {
        var (context, storeId, region) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var target = region.Peers.First(p => p.StoreId != storeId);
        await _t.Cluster.TransferLeaderAsync(region.Id, target.StoreId);

        var old = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Equal(target, old.RegionError.NotLeader.Leader);

        var moved = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        Assert.Equal(target.StoreId, moved.StoreId);
        Assert.Equal(region.RegionEpoch, moved.Region.RegionEpoch);
        await Assert.ThrowsAsync<ArgumentException>(() => _t.Cluster.TransferLeaderAsync(region.Id, 999));
    }

    [Fact]
    public async Task SplitRegion_rpc_splits_raw_and_encoded_keys_like_tikv()
    {
        var (context, storeId, region) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var raw = await _t.Call<SplitRegionRequest, SplitRegionResponse>(storeId, "SplitRegion", new SplitRegionRequest
        {
            Context = context,
            SplitKeys = { Rpc.B("s"), Rpc.B("g") },
            IsRawKv = true,
        });
        Assert.Null(raw.RegionError);
        Assert.Equal(3, raw.Regions.Count);
        Assert.Equal(Rpc.B("g"), raw.Regions[0].EndKey);
        Assert.Equal(Rpc.B("s"), raw.Regions[2].StartKey);
        Assert.Equal(region.Id, raw.Regions[2].Id);
        Assert.All(raw.Regions, r => Assert.Equal(region.RegionEpoch.Version + 2, r.RegionEpoch.Version));

        // The old epoch is now stale.
        var stale = await _t.Call<SplitRegionRequest, SplitRegionResponse>(storeId, "SplitRegion", new SplitRegionRequest { Context = context, SplitKeys = { Rpc.B("u") }, IsRawKv = true });
        Assert.NotNull(stale.RegionError.EpochNotMatch);

        var (txnContext, txnStore, _) = await _t.LeaderContextAsync(Rpc.Bytes("h"));
        var txn = await _t.Call<SplitRegionRequest, SplitRegionResponse>(txnStore, "SplitRegion", new SplitRegionRequest { Context = txnContext, SplitKeys = { Rpc.B("k") } });
        Assert.Equal(ByteString.CopyFrom(KeyCodec.Encode(Rpc.Bytes("k"))), txn.Regions[0].EndKey);
#pragma warning disable CS0612 // TiKV still fills the deprecated left/right for a two-way split.
        Assert.NotNull(txn.Left);
        Assert.NotNull(txn.Right);
#pragma warning restore CS0612

        var (again, againStore, againRegion) = await _t.LeaderContextAsync(Rpc.Bytes("h"));
        var outside = await _t.Call<SplitRegionRequest, SplitRegionResponse>(againStore, "SplitRegion", new SplitRegionRequest { Context = again, SplitKeys = { Rpc.B("z") }, IsRawKv = true });
        Assert.NotNull(outside.RegionError.KeyNotInRegion);
        var none = await _t.Call<SplitRegionRequest, SplitRegionResponse>(againStore, "SplitRegion", new SplitRegionRequest { Context = again, IsRawKv = true });
        Assert.Contains("no split key is specified", none.RegionError.Message, StringComparison.Ordinal);
        var onBoundary = await _t.Call<SplitRegionRequest, SplitRegionResponse>(againStore, "SplitRegion", new SplitRegionRequest { Context = again, SplitKeys = { againRegion.StartKey }, IsRawKv = true });
        Assert.Equal("\"no valid key found for split.\"", onBoundary.RegionError.Message);
    }

    [Fact]
    public async Task PD_and_DevCluster_agree_on_regions_after_splits()
    {
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("b"));
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("d"));
        var regions = _t.Cluster.GetRegions();
        Assert.Equal(3, regions.Count);
        foreach (var info in regions)
        {
            var response = await _t.GetRegionAsync(info.StartKey.ToArray());
            Assert.Equal(info.Id, response.Region.Id);
            Assert.Equal(info.Version, response.Region.RegionEpoch.Version);
            Assert.Equal(info.LeaderStoreId, response.Leader.StoreId);
            Assert.Equal(info.PeerIds, response.Region.Peers.Select(p => p.Id));
        }
    }
}
