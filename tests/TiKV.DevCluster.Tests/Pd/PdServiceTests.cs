using Google.Protobuf;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Pd;

public sealed class PdServiceTests : IAsyncLifetime
{
    private TestCluster _t = null!;

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync();

    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task GetMembers_needs_no_cluster_id_and_names_this_pd_as_leader()
    {
        var response = await _t.PdCall<GetMembersRequest, GetMembersResponse>("GetMembers", new GetMembersRequest());
        Assert.Equal(_t.Cluster.ClusterId, response.Header.ClusterId);
        Assert.Null(response.Header.Error);
        Assert.Single(response.Members);
        Assert.Equal("http://" + _t.Cluster.PdAddress, Assert.Single(response.Leader.ClientUrls));
        Assert.Equal(response.Leader.MemberId, response.EtcdLeader.MemberId);

        // PD derives the id from the bootstrap time: the high 32 bits are Unix seconds.
        var seconds = (long)(_t.Cluster.ClusterId >> 32);
        Assert.InRange(seconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }

    [Fact]
    public async Task Wrong_cluster_id_fails_with_failed_precondition_like_pd()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _t.PdCall<GetRegionRequest, GetRegionResponse>(
            "GetRegion", new GetRegionRequest { Header = new RequestHeader { ClusterId = _t.Cluster.ClusterId + 1 } }));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal($"mismatch cluster id, need {_t.Cluster.ClusterId} but got {_t.Cluster.ClusterId + 1}", error.Detail);

        var missing = await Assert.ThrowsAsync<RpcException>(() => _t.PdCall<GetAllStoresRequest, GetAllStoresResponse>("GetAllStores", new GetAllStoresRequest()));
        Assert.Equal(StatusCode.FailedPrecondition, missing.StatusCode);
    }

    [Fact]
    public async Task GetRegion_covers_every_key_and_reports_the_leader()
    {
        var response = await _t.GetRegionAsync(Rpc.Bytes("any key"));
        Assert.Null(response.Header.Error);
        Assert.Empty(response.Region.StartKey);
        Assert.Empty(response.Region.EndKey);
        Assert.Equal(3, response.Region.Peers.Count);
        Assert.Contains(response.Region.Peers, p => p.Id == response.Leader.Id && p.StoreId == response.Leader.StoreId);
        Assert.Equal(1UL, response.Region.RegionEpoch.Version);
        Assert.Equal(1UL, response.Region.RegionEpoch.ConfVer);
    }

    [Fact]
    public async Task Unknown_region_id_answers_ok_header_without_region_like_the_pd_leader()
    {
        var response = await _t.PdCall<GetRegionByIDRequest, GetRegionResponse>(
            "GetRegionByID", new GetRegionByIDRequest { Header = _t.Header, RegionId = 987654 });
        Assert.Null(response.Header.Error);
        Assert.Null(response.Region);

        var previous = await _t.PdCall<GetRegionRequest, GetRegionResponse>("GetPrevRegion", new GetRegionRequest { Header = _t.Header, RegionKey = Rpc.B("a") });
        Assert.Null(previous.Header.Error);
        Assert.Null(previous.Region);
    }

    [Fact]
    public async Task ScanRegions_GetPrevRegion_and_BatchScanRegions_follow_splits()
    {
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("t"));

        var all = await _t.PdCall<ScanRegionsRequest, ScanRegionsResponse>("ScanRegions", new ScanRegionsRequest { Header = _t.Header });
        Assert.Equal(3, all.Regions.Count);
        Assert.Equal(3, all.RegionMetas.Count);
        Assert.Equal(3, all.Leaders.Count);
        Assert.Equal(Rpc.B("m"), all.Regions[1].Region_.StartKey);

        var limited = await _t.PdCall<ScanRegionsRequest, ScanRegionsResponse>("ScanRegions", new ScanRegionsRequest { Header = _t.Header, StartKey = Rpc.B("n"), Limit = 1 });
        Assert.Equal(Rpc.B("m"), Assert.Single(limited.Regions).Region_.StartKey);

        var bounded = await _t.PdCall<ScanRegionsRequest, ScanRegionsResponse>("ScanRegions", new ScanRegionsRequest { Header = _t.Header, EndKey = Rpc.B("m") });
        Assert.Single(bounded.Regions);

        var previous = await _t.PdCall<GetRegionRequest, GetRegionResponse>("GetPrevRegion", new GetRegionRequest { Header = _t.Header, RegionKey = Rpc.B("u") });
        Assert.Equal(Rpc.B("m"), previous.Region.StartKey);

        var batch = await _t.PdCall<BatchScanRegionsRequest, BatchScanRegionsResponse>("BatchScanRegions", new BatchScanRegionsRequest
        {
            Header = _t.Header,
            Ranges = { new KeyRange { StartKey = Rpc.B("a"), EndKey = Rpc.B("b") }, new KeyRange { StartKey = Rpc.B("c"), EndKey = Rpc.B("n") } },
        });
        Assert.Equal(2, batch.Regions.Count);

        var inverted = await _t.PdCall<BatchScanRegionsRequest, BatchScanRegionsResponse>("BatchScanRegions", new BatchScanRegionsRequest
        {
            Header = _t.Header,
            Ranges = { new KeyRange { StartKey = Rpc.B("z"), EndKey = Rpc.B("a") } },
        });
        Assert.Equal(ErrorType.Unknown, inverted.Header.Error.Type);
        Assert.Equal("invalid key range, start key > end key", inverted.Header.Error.Message);
    }

    [Fact]
    public async Task GetStore_and_GetAllStores_report_stores_and_unknown_store_is_a_header_error()
    {
        var all = await _t.PdCall<GetAllStoresRequest, GetAllStoresResponse>("GetAllStores", new GetAllStoresRequest { Header = _t.Header });
        Assert.Equal(3, all.Stores.Count);
        foreach (var store in all.Stores)
        {
            var info = _t.Cluster.Stores.Single(s => s.Id == store.Id);
            Assert.Equal(info.Address, store.Address);
            Assert.Equal(info.StatusAddress, store.StatusAddress);
            Assert.Equal(StoreState.Up, store.State);
            Assert.Equal(NodeState.Serving, store.NodeState);
            Assert.True(store.LastHeartbeat > 0);
        }

        var one = await _t.PdCall<GetStoreRequest, GetStoreResponse>("GetStore", new GetStoreRequest { Header = _t.Header, StoreId = all.Stores[0].Id });
        Assert.Equal(all.Stores[0].Id, one.Store.Id);
        Assert.Equal(1u, one.Stats.RegionCount);

        var unknown = await _t.PdCall<GetStoreRequest, GetStoreResponse>("GetStore", new GetStoreRequest { Header = _t.Header, StoreId = 4242 });
        Assert.Equal(ErrorType.Unknown, unknown.Header.Error.Type);
        Assert.Equal("invalid store ID 4242, not found", unknown.Header.Error.Message);
        Assert.Null(unknown.Store);
    }

    [Fact]
    public async Task Tso_is_strictly_increasing_and_a_batch_reports_its_last_timestamp()
    {
        var call = _t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"));
        await using var _ = call;
        ulong previous = 0;
        for (var i = 0; i < 200; i++)
        {
            var count = (uint)(i % 10 + 1);
            await call.WriteAsync(new TsoRequest { Header = _t.Header, Count = count });
            Assert.True(await call.MoveNextAsync());
            var response = call.Current;
            Assert.Equal(count, response.Count);
            var last = ((ulong)response.Timestamp.Physical << 18) | (ulong)response.Timestamp.Logical;
            var first = last - count + 1;
            Assert.True(first > previous, $"timestamps went backwards: {first} <= {previous}");
            Assert.True(response.Timestamp.Logical >= count);
            previous = last;
        }

        await call.CompleteAsync();
        Assert.False(await call.MoveNextAsync());
    }

    [Fact]
    public async Task Tso_with_zero_count_or_wrong_cluster_fails_the_stream_like_pd()
    {
        var call = _t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"));
        await using (call)
        {
            await call.WriteAsync(new TsoRequest { Header = _t.Header, Count = 0 });
            var error = await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
            Assert.Equal(StatusCode.Unknown, error.StatusCode);
            Assert.Contains("tso count should be positive", error.Detail, StringComparison.Ordinal);
        }

        var wrong = _t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"));
        await using (wrong)
        {
            await wrong.WriteAsync(new TsoRequest { Header = new RequestHeader { ClusterId = 7 }, Count = 1 });
            var error = await Assert.ThrowsAsync<RpcException>(async () => await wrong.MoveNextAsync());
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        }
    }

    [Fact]
    public async Task AllocID_and_bootstrap_state_match_pd()
    {
        var one = await _t.PdCall<AllocIDRequest, AllocIDResponse>("AllocID", new AllocIDRequest { Header = _t.Header });
        var batch = await _t.PdCall<AllocIDRequest, AllocIDResponse>("AllocID", new AllocIDRequest { Header = _t.Header, Count = 10 });
        Assert.Equal(one.Id + 10, batch.Id);
        Assert.Equal(10u, batch.Count);

        var bootstrapped = await _t.PdCall<IsBootstrappedRequest, IsBootstrappedResponse>("IsBootstrapped", new IsBootstrappedRequest { Header = _t.Header });
        Assert.True(bootstrapped.Bootstrapped);
        var bootstrap = await _t.PdCall<BootstrapRequest, BootstrapResponse>("Bootstrap", new BootstrapRequest { Header = _t.Header });
        Assert.Equal(ErrorType.AlreadyBootstrapped, bootstrap.Header.Error.Type);
    }

    [Fact]
    public async Task Gc_safe_point_never_moves_backwards_and_service_safe_points_expire()
    {
        var first = await _t.PdCall<UpdateGCSafePointRequest, UpdateGCSafePointResponse>("UpdateGCSafePoint", new UpdateGCSafePointRequest { Header = _t.Header, SafePoint = 100 });
        Assert.Equal(100UL, first.NewSafePoint);
        var backwards = await _t.PdCall<UpdateGCSafePointRequest, UpdateGCSafePointResponse>("UpdateGCSafePoint", new UpdateGCSafePointRequest { Header = _t.Header, SafePoint = 50 });
        Assert.Equal(100UL, backwards.NewSafePoint);
        var current = await _t.PdCall<GetGCSafePointRequest, GetGCSafePointResponse>("GetGCSafePoint", new GetGCSafePointRequest { Header = _t.Header });
        Assert.Equal(100UL, current.SafePoint);

        // No service safe point yet: PD creates gc_worker's at 0, and a new service below the minimum is ignored.
        var service = await _t.PdCall<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse>("UpdateServiceGCSafePoint", new UpdateServiceGCSafePointRequest
        {
            Header = _t.Header,
            ServiceId = Rpc.B("br"),
            TTL = 3600,
            SafePoint = 500,
        });
        Assert.Equal("gc_worker", service.ServiceId.ToStringUtf8());
        Assert.Equal(0UL, service.MinSafePoint);

        var worker = await _t.PdCall<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse>("UpdateServiceGCSafePoint", new UpdateServiceGCSafePointRequest
        {
            Header = _t.Header,
            ServiceId = Rpc.B("gc_worker"),
            TTL = long.MaxValue,
            SafePoint = 600,
        });
        Assert.Equal("br", worker.ServiceId.ToStringUtf8());
        Assert.Equal(500UL, worker.MinSafePoint);
        Assert.InRange(worker.TTL, 3590, 3600);

        var removed = await _t.PdCall<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse>("UpdateServiceGCSafePoint", new UpdateServiceGCSafePointRequest
        {
            Header = _t.Header,
            ServiceId = Rpc.B("br"),
            TTL = 0,
        });
        Assert.Equal("gc_worker", removed.ServiceId.ToStringUtf8());
        Assert.Equal(600UL, removed.MinSafePoint);

        var finiteWorker = await Assert.ThrowsAsync<RpcException>(() => _t.PdCall<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse>("UpdateServiceGCSafePoint", new UpdateServiceGCSafePointRequest
        {
            Header = _t.Header,
            ServiceId = Rpc.B("gc_worker"),
            TTL = 10,
            SafePoint = 700,
        }));
        Assert.Equal("TTL of gc_worker's service safe point must be infinity", finiteWorker.Detail);
    }
}
