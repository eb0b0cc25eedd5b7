using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class InjectedRegionErrorTests : IAsyncLifetime
{
    private TestCluster _t = null!;

    public async Task InitializeAsync()
    {
        _t = await TestCluster.StartAsync(new DevClusterOptions { BalanceLeaders = false });
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
    }

    public async Task DisposeAsync() => await _t.DisposeAsync();

    public static TheoryData<DevRegionErrorKind> Kinds() => [.. Enum.GetValues<DevRegionErrorKind>()];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_kind_is_served_once_with_the_variant_set_and_then_the_request_runs(DevRegionErrorKind kind)
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("x"));
        var fault = _t.Cluster.Faults.InjectRegionError(storeId, "RawGet", kind);

        var injected = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("x") });
        Assert.NotNull(injected.RegionError);
        Assert.Equal(Variant(kind), injected.RegionError.ErrorCase());
        Assert.Equal(1, fault.Hits);
        Assert.False(fault.IsActive);

        var next = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("x") });
        Assert.Null(next.RegionError);
    }

    [Fact]
    public async Task Errors_are_built_from_the_current_region_state()
    {
        var (context, storeId, region) = await _t.LeaderContextAsync(Rpc.Bytes("x"));
        var faults = _t.Cluster.Faults;
        async Task<Error> ServeAsync(DevRegionErrorKind kind, string method = "RawGet")
        {
            faults.InjectRegionError(storeId, method, kind);
            if (method == "RawPut")
            {
                return (await _t.Call<RawPutRequest, RawPutResponse>(storeId, "RawPut", new RawPutRequest { Context = context, Key = Rpc.B("x"), Value = Rpc.B("v") })).RegionError;
            }

            return (await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("x") })).RegionError;
        }

        var notLeader = await ServeAsync(DevRegionErrorKind.NotLeader);
        Assert.Equal(region.Id, notLeader.NotLeader.RegionId);
        Assert.Equal(context.Peer, notLeader.NotLeader.Leader);
        Assert.Null((await ServeAsync(DevRegionErrorKind.NotLeaderWithoutLeader)).NotLeader.Leader);

        var epoch = await ServeAsync(DevRegionErrorKind.EpochNotMatch);
        var current = Assert.Single(epoch.EpochNotMatch.CurrentRegions);
        Assert.Equal(region, current);

        var keyNotInRegion = (await ServeAsync(DevRegionErrorKind.KeyNotInRegion)).KeyNotInRegion;
        Assert.Equal("x", keyNotInRegion.Key.ToStringUtf8());
        Assert.Equal(region.StartKey, keyNotInRegion.StartKey);
        Assert.Equal(region.EndKey, keyNotInRegion.EndKey);

        var storeNotMatch = (await ServeAsync(DevRegionErrorKind.StoreNotMatch)).StoreNotMatch;
        Assert.Equal(storeId, storeNotMatch.ActualStoreId);

        Assert.Equal("scheduler is busy", (await ServeAsync(DevRegionErrorKind.ServerIsBusy)).ServerIsBusy.Reason);
        Assert.Contains("RawKV write fails", (await ServeAsync(DevRegionErrorKind.MaxTimestampNotSynced, "RawPut")).Message, StringComparison.Ordinal);
        Assert.Equal(region.Id, (await ServeAsync(DevRegionErrorKind.ReadIndexNotReady)).ReadIndexNotReady.RegionId);
        Assert.Equal(context.Peer.Id, (await ServeAsync(DevRegionErrorKind.DataIsNotReady)).DataIsNotReady.PeerId);
        Assert.Equal(new[] { storeId }, (await ServeAsync(DevRegionErrorKind.DiskFull)).DiskFull.StoreId);

        var tooLarge = (await ServeAsync(DevRegionErrorKind.RaftEntryTooLarge, "RawPut")).RaftEntryTooLarge;
        Assert.Equal(region.Id, tooLarge.RegionId);
        Assert.True(tooLarge.EntrySize > 0);

        // Nothing was written by the injected RawPuts.
        Assert.Null(await _t.RawGetAsync(Rpc.Bytes("x")));
    }

    [Fact]
    public async Task Epoch_not_match_for_an_older_version_carries_the_split_siblings()
    {
        var (context, storeId, region) = await _t.LeaderContextAsync(Rpc.Bytes("x"));
        await _t.Cluster.SplitRegionAsync(Rpc.Bytes("t"));
        _t.Cluster.Faults.InjectRegionError(storeId, "RawGet", DevRegionErrorKind.EpochNotMatch);

        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("x") });
        var regions = response.RegionError.EpochNotMatch.CurrentRegions;
        Assert.Equal(2, regions.Count);
        Assert.Equal(region.Id, regions[0].Id);
        Assert.True(regions[0].RegionEpoch.Version > region.RegionEpoch.Version);
        Assert.Equal("t", regions[0].StartKey.ToStringUtf8());
        Assert.Equal("t", regions[1].EndKey.ToStringUtf8());
    }

    [Fact]
    public async Task Injection_applies_to_requests_inside_batch_commands()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("x"));
        var fault = _t.Cluster.Faults.InjectRegionError(null, "RawGet", DevRegionErrorKind.StaleCommand, times: 2);
        var call = _t.Store(storeId).DuplexStreaming(Rpc.Kv<BatchCommandsRequest, BatchCommandsResponse>("BatchCommands"), Rpc.Short);
        await using var _ = call;
        var batch = new BatchCommandsRequest();
        for (ulong id = 1; id <= 3; id++)
        {
            batch.Requests.Add(new BatchCommandsRequest.Types.Request { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("x") } });
            batch.RequestIds.Add(id);
        }

        await call.WriteAsync(batch);
        var stale = 0;
        var ok = 0;
        while (stale + ok < 3 && await call.MoveNextAsync())
        {
            foreach (var response in call.Current.Responses)
            {
                if (response.RawGet.RegionError?.StaleCommand is not null)
                {
                    stale++;
                }
                else
                {
                    Assert.Null(response.RawGet.RegionError);
                    ok++;
                }
            }
        }

        Assert.Equal((2, 1), (stale, ok));
        Assert.Equal(2, fault.Hits);
    }

    [Fact]
    public async Task Unknown_region_gets_region_not_found_whatever_the_kind()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("x"));
        context.RegionId = 424242;
        _t.Cluster.Faults.InjectRegionError(storeId, "RawGet", DevRegionErrorKind.EpochNotMatch);
        var response = await _t.Call<RawGetRequest, RawGetResponse>(storeId, "RawGet", new RawGetRequest { Context = context, Key = Rpc.B("x") });
        Assert.Equal(424242UL, response.RegionError.RegionNotFound.RegionId);
    }

    private static string Variant(DevRegionErrorKind kind) => kind switch
    {
        DevRegionErrorKind.NotLeaderWithoutLeader => "NotLeader",
        _ => kind.ToString(),
    };
}
