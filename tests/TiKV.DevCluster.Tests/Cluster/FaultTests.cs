using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class FaultTests : IAsyncLifetime
{
    private TestCluster _t = null!;

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync(new DevClusterOptions { BalanceLeaders = false });

    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task ServerIsBusy_applies_to_the_chosen_store_and_method_for_the_chosen_count()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        _t.Cluster.Faults.InjectServerIsBusy(storeId, "RawPut", times: 2);

        var get = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Null(get.RegionError);
        for (var i = 0; i < 2; i++)
        {
            var busy = await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("a"), Value = Rpc.B("1") });
            Assert.NotNull(busy.RegionError.ServerIsBusy);
        }

        var ok = await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("a"), Value = Rpc.B("1") });
        Assert.Null(ok.RegionError);
    }

    [Fact]
    public async Task Busy_requests_are_not_executed()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        _t.Cluster.Faults.InjectServerIsBusy(method: "RawPut");
        var busy = await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("busy"), Value = Rpc.B("1") });
        Assert.NotNull(busy.RegionError.ServerIsBusy);
        Assert.Null(await _t.RawGetAsync(Rpc.Bytes("busy")));
    }

    [Fact]
    public async Task Dropped_response_times_out_but_the_write_happened()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        _t.Cluster.Faults.DropResponses(storeId, "RawPut");
        var error = await Assert.ThrowsAsync<RpcException>(() => _t.Store(storeId).UnaryAsync(
            Rpc.Kv<RawPutRequest, RawPutResponse>("RawPut"),
            new RawPutRequest { Context = context, Key = Rpc.B("dropped"), Value = Rpc.B("1") },
            new CallOptions(Timeout: TimeSpan.FromMilliseconds(300))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString((await _t.RawGetAsync(Rpc.Bytes("dropped")))!));
    }

    [Fact]
    public async Task Delay_holds_a_request_back_and_clear_removes_every_fault()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        _t.Cluster.Faults.InjectDelay(null, "RawGet", TimeSpan.FromSeconds(5), Timeout.Infinite);
        var error = await Assert.ThrowsAsync<RpcException>(() => _t.Store(storeId).UnaryAsync(
            Rpc.Kv<RawGetRequest, RawGetResponse>("RawGet"),
            new RawGetRequest { Context = context, Key = Rpc.B("a") },
            new CallOptions(Timeout: TimeSpan.FromMilliseconds(200))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);

        _t.Cluster.Faults.InjectServerIsBusy(times: Timeout.Infinite);
        _t.Cluster.Faults.Clear();
        var ok = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Null(ok.RegionError);
        Assert.Throws<ArgumentOutOfRangeException>(() => _t.Cluster.Faults.InjectServerIsBusy(times: 0));
    }
}
