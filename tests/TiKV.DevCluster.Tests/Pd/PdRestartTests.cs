using System.Net.Sockets;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Pd;

public sealed class PdRestartTests
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

    private static async Task<ulong> TsoAsync(TestCluster t, uint count = 1)
    {
        var call = t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"), Rpc.Short);
        await using var _ = call;
        await call.WriteAsync(new TsoRequest { Header = t.Header, Count = count });
        Assert.True(await call.MoveNextAsync());
        return ((ulong)call.Current.Timestamp.Physical << 18) | (ulong)call.Current.Timestamp.Logical;
    }

    /// <summary>
    /// The first call after a restart may go out on the connection to the stopped PD, which fails it UNAVAILABLE
    /// before taking it up; clients retry that, and so does this.
    /// </summary>
    private static async Task<ulong> TsoAfterRestartAsync(TestCluster t)
    {
        try
        {
            return await TsoAsync(t);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            return await TsoAsync(t);
        }
    }

    [Fact]
    public async Task Stopped_pd_refuses_connections_while_stores_keep_serving_cached_regions()
    {
        await using var t = await TestCluster.StartAsync();
        await t.RawPutAsync(Rpc.Bytes("k"), Rpc.Bytes("v1"));
        var (context, storeId, _) = await t.LeaderContextAsync(Rpc.Bytes("k"));

        await t.Cluster.StopPdAsync();
        Assert.False(t.Cluster.IsPdUp);
        Assert.False(await AcceptsConnectionsAsync(t.Cluster.PdAddress));
        var down = await Assert.ThrowsAsync<RpcException>(() => t.GetRegionAsync(Rpc.Bytes("k")));
        Assert.Equal(StatusCode.Unavailable, down.StatusCode);

        // Raft needs no PD: a client holding the region's route reads and writes on.
        var put = await t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("k"), Value = Rpc.B("v2") });
        Assert.Null(put.RegionError);
        var get = await t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("k") });
        Assert.Equal("v2", get.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Restarted_pd_keeps_its_address_and_state()
    {
        await using var t = await TestCluster.StartAsync();
        await t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
        await t.PdCall<UpdateGCSafePointRequest, UpdateGCSafePointResponse>("UpdateGCSafePoint", new UpdateGCSafePointRequest { Header = t.Header, SafePoint = 1234 });
        var allocated = await t.PdCall<AllocIDRequest, AllocIDResponse>("AllocID", new AllocIDRequest { Header = t.Header });
        var regionsBefore = t.Cluster.GetRegions();
        var address = t.Cluster.PdAddress;

        await t.Cluster.StopPdAsync();
        await Assert.ThrowsAsync<RpcException>(() => t.GetRegionAsync(Rpc.Bytes("m")));
        await t.Cluster.RestartPdAsync();

        Assert.True(t.Cluster.IsPdUp);
        Assert.Equal(address, t.Cluster.PdAddress);
        var members = await t.PdCall<GetMembersRequest, GetMembersResponse>("GetMembers", new GetMembersRequest());
        Assert.Equal(t.Cluster.ClusterId, members.Header.ClusterId);
        var stores = await t.PdCall<GetAllStoresRequest, GetAllStoresResponse>("GetAllStores", new GetAllStoresRequest { Header = t.Header });
        Assert.Equal(t.Cluster.Stores.Select(s => s.Id), stores.Stores.Select(s => s.Id).Order());
        var safePoint = await t.PdCall<GetGCSafePointRequest, GetGCSafePointResponse>("GetGCSafePoint", new GetGCSafePointRequest { Header = t.Header });
        Assert.Equal(1234UL, safePoint.SafePoint);
        var scanned = await t.PdCall<ScanRegionsRequest, ScanRegionsResponse>("ScanRegions", new ScanRegionsRequest { Header = t.Header });
        Assert.Equal(regionsBefore.Select(r => (r.Id, r.Version)), scanned.Regions.Select(r => (r.Region_.Id, r.Region_.RegionEpoch.Version)));
        var next = await t.PdCall<AllocIDRequest, AllocIDResponse>("AllocID", new AllocIDRequest { Header = t.Header });
        Assert.True(next.Id > allocated.Id);
    }

    [Fact]
    public async Task Tso_stays_strictly_increasing_across_a_restart_even_when_the_clock_goes_back()
    {
        var time = new OffsetTimeProvider();
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { TimeProvider = time });
        var before = await TsoAsync(t, 10);

        await t.Cluster.StopPdAsync();
        time.Advance(TimeSpan.FromSeconds(-30));
        await t.Cluster.RestartPdAsync();

        var after = await TsoAfterRestartAsync(t);
        Assert.True(after > before, $"TSO went backwards across a PD restart: {after} <= {before}");
        var later = await TsoAsync(t);
        Assert.True(later > after);
    }

    [Fact]
    public async Task An_open_tso_stream_fails_when_pd_stops_and_a_new_one_works_after_restart()
    {
        await using var t = await TestCluster.StartAsync();
        var call = t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"));
        await using (call)
        {
            await call.WriteAsync(new TsoRequest { Header = t.Header, Count = 1 });
            Assert.True(await call.MoveNextAsync());

            await t.Cluster.StopPdAsync();
            await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await call.WriteAsync(new TsoRequest { Header = t.Header, Count = 1 });
                await call.MoveNextAsync();
            });
        }

        await t.Cluster.RestartPdAsync();
        Assert.NotEqual(0UL, await TsoAfterRestartAsync(t));
    }

    [Fact]
    public async Task Splits_wait_for_pd_but_elections_do_not()
    {
        await using var t = await TestCluster.StartAsync(new DevClusterOptions
        {
            RegionSplitKeys = 40,
            ElectionTimeout = TimeSpan.FromMilliseconds(100),
        });
        var (context, storeId, region) = await t.LeaderContextAsync(Rpc.Bytes("a"));
        await t.Cluster.StopPdAsync();

        var split = await t.Call<SplitRegionRequest, SplitRegionResponse>(storeId, "SplitRegion", new SplitRegionRequest
        {
            Context = context,
            SplitKeys = { Rpc.B("s") },
            IsRawKv = true,
        });
        Assert.Contains("failed to split", split.RegionError.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => t.Cluster.SplitRegionAsync(Rpc.Bytes("s")));

        // Enough writes to pass the split threshold: the split checker has to wait for PD.
        for (var i = 0; i < 60; i++)
        {
            var put = await t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B($"k{i:D3}"), Value = Rpc.B("v") });
            Assert.Null(put.RegionError);
        }

        await Task.Delay(200);
        Assert.Single(t.Cluster.GetRegions());

        await t.Cluster.StopStoreAsync(storeId);
        await TestCluster.EventuallyAsync(
            () => t.Cluster.GetRegions().Single(r => r.Id == region.Id).LeaderStoreId is var leader && leader != storeId && leader != 0,
            "a new leader elected while PD is down");

        await t.Cluster.RestartPdAsync();
        await TestCluster.EventuallyAsync(() => t.Cluster.GetRegions().Count > 1, "the deferred split once PD is back");
    }

    [Fact]
    public async Task Injected_pd_errors_fail_the_chosen_method_the_chosen_number_of_times()
    {
        await using var t = await TestCluster.StartAsync();
        var fault = t.Cluster.Faults.InjectPdError("GetRegion", StatusCode.Unavailable, times: 2);

        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => t.GetRegionAsync(Rpc.Bytes("a")));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        }

        await t.PdCall<GetAllStoresRequest, GetAllStoresResponse>("GetAllStores", new GetAllStoresRequest { Header = t.Header });
        Assert.NotNull((await t.GetRegionAsync(Rpc.Bytes("a"))).Region);
        Assert.Equal(2, fault.Hits);
        Assert.False(fault.IsActive);
    }

    [Fact]
    public async Task Injected_tso_failure_ends_the_stream_with_its_status_and_delays_hold_calls_back()
    {
        await using var t = await TestCluster.StartAsync();
        var fail = t.Cluster.Faults.InjectPdError("Tso", StatusCode.DeadlineExceeded);
        var call = t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"));
        await using (call)
        {
            await call.WriteAsync(new TsoRequest { Header = t.Header, Count = 1 });
            var error = await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        }

        Assert.Equal(1, fail.Hits);
        Assert.NotEqual(0UL, await TsoAsync(t));

        var delay = t.Cluster.Faults.InjectPdDelay("GetMembers", TimeSpan.FromSeconds(5), Timeout.Infinite);
        var timedOut = await Assert.ThrowsAsync<RpcException>(() => t.Pd.UnaryAsync(
            Rpc.PdMethod<GetMembersRequest, GetMembersResponse>("GetMembers"),
            new GetMembersRequest(),
            new CallOptions(Timeout: TimeSpan.FromMilliseconds(200))));
        Assert.Equal(StatusCode.DeadlineExceeded, timedOut.StatusCode);
        Assert.True(delay.IsActive);
        delay.Remove();
        Assert.False(delay.IsActive);
        await t.PdCall<GetMembersRequest, GetMembersResponse>("GetMembers", new GetMembersRequest());
    }

    [Fact]
    public async Task Fault_injection_rejects_unknown_methods_stores_and_ok_status()
    {
        await using var t = await TestCluster.StartAsync();
        var faults = t.Cluster.Faults;
        Assert.Throws<ArgumentException>(() => faults.InjectPdError("NoSuchMethod"));
        Assert.Throws<ArgumentException>(() => faults.InjectPdError("GetRegion", StatusCode.OK));
        Assert.Throws<ArgumentException>(() => faults.InjectServerIsBusy(method: "RawGot"));
        var batch = Assert.Throws<ArgumentException>(() => faults.InjectServerIsBusy(method: "BatchCommands"));
        Assert.Contains("inside BatchCommands", batch.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => faults.InjectRegionError(999, null, DevRegionErrorKind.NotLeader));
        Assert.Throws<ArgumentException>(() => faults.InjectRegionError(null, null, (DevRegionErrorKind)999));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.InjectPdDelay(null, TimeSpan.FromSeconds(-1)));
    }
}
