using System.Text;
using TiKV.Client.Tests.Fakes;
using TiKV.Grpc;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Tests.Unit;

public class RequestPlanTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static (TiKVClient Client, FakeKvStores Stores, ScriptedTransport Transport) Setup(Action<TiKVClientOptions>? configure = null)
    {
        var pd = new FakePdClient();
        var transport = new ScriptedTransport();
        var stores = new FakeKvStores(pd, transport);
        stores.SetRegions(
            (FakePdClient.MakeRegion(1, "", "g", 1, 1, 2, 3), 1),
            (FakePdClient.MakeRegion(2, "g", "p", 1, 1, 2, 3), 2),
            (FakePdClient.MakeRegion(3, "p", "", 1, 1, 2, 3), 3));
        return (FakeCluster.Client(pd, transport, configure), stores, transport);
    }

    [Fact]
    public async Task Operations_route_to_each_regions_leader_and_merge()
    {
        var (client, _, _) = Setup();
        await using var _c = client;
        var pairs = Enumerable.Range(0, 26).Select(i => new KvPair(((char)('a' + i)).ToString(), $"v{i}")).ToList();
        await client.Raw.BatchPutAsync(pairs);

        Assert.Equal("v7", Encoding.UTF8.GetString((await client.Raw.GetAsync("h"))!));
        var got = await client.Raw.BatchGetAsync(["z", "a", "m", "missing", "a"]);
        Assert.Equal(new[] { "a", "m", "z" }, got.Select(p => p.KeyAsString()));

        var scanned = await client.Raw.ScanAsync("c", "s").ToListAsync();
        Assert.Equal(Enumerable.Range(2, 16).Select(i => ((char)('a' + i)).ToString()), scanned.Select(p => p.KeyAsString()));

        var reversed = await client.Raw.ReverseScanAsync("s", "c", limit: 5).ToListAsync();
        Assert.Equal(new[] { "r", "q", "p", "o", "n" }, reversed.Select(p => p.KeyAsString()));

        await client.Raw.DeleteRangeAsync("b", "y");
        var left = await client.Raw.ScanAsync("", keyOnly: true).ToListAsync();
        Assert.Equal(new[] { "a", "y", "z" }, left.Select(p => p.KeyAsString()));
        Assert.All(left, p => Assert.Empty(p.Value));
    }

    [Fact]
    public async Task NotLeader_with_hint_moves_the_request_to_the_new_leader()
    {
        var (client, stores, transport) = Setup();
        await using var _c = client;
        await client.Raw.PutAsync("h", "1");

        // Leadership of region 2 moves to store 3 behind the client's back.
        stores.SetRegions(
            (FakePdClient.MakeRegion(1, "", "g", 1, 1, 2, 3), 1),
            (FakePdClient.MakeRegion(2, "g", "p", 1, 1, 2, 3), 3),
            (FakePdClient.MakeRegion(3, "p", "", 1, 1, 2, 3), 3));
        while (transport.Calls.TryDequeue(out _))
        {
        }

        Assert.Equal("1", Encoding.UTF8.GetString((await client.Raw.GetAsync("h"))!));
        Assert.Equal(new[] { "s2", "s3" }, transport.Calls.Select(c => c.Address));
    }

    [Fact]
    public async Task EpochNotMatch_after_a_split_re_splits_a_batch_across_the_new_regions()
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        await client.Raw.PutAsync("h", "warm");
        stores.SetRegions(
            (FakePdClient.MakeRegion(1, "", "g", 1, 1, 2, 3), 1),
            (FakePdClient.MakeRegion(2, "g", "k", 2, 1, 2, 3), 2),
            (FakePdClient.MakeRegion(4, "k", "p", 2, 1, 2, 3), 1),
            (FakePdClient.MakeRegion(3, "p", "", 1, 1, 2, 3), 3));

        await client.Raw.BatchPutAsync([new KvPair("h", "1"), new KvPair("j", "2"), new KvPair("l", "3"), new KvPair("o", "4")]);
        Assert.Equal("3", Encoding.UTF8.GetString(stores.Read("l")!));
        var all = await client.Raw.BatchGetAsync(["h", "j", "l", "o"]);
        Assert.Equal(new[] { "1", "2", "3", "4" }, all.Select(p => p.ValueAsString()));
    }

    [Fact]
    public async Task ServerIsBusy_backs_off_then_succeeds()
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        var busy = 2;
        stores.Intercept = (_, request) =>
            request.CmdCase == BatchRequest.CmdOneofCase.RawPut && Interlocked.Decrement(ref busy) >= 0
                ? new BatchResponse { RawPut = new RawPutResponse { RegionError = new Error { Message = "busy", ServerIsBusy = new ServerIsBusy { Reason = "scheduler" } } } }
                : null;
        await client.Raw.PutAsync("a", "1");
        Assert.Equal("1", Encoding.UTF8.GetString(stores.Read("a")!));
        Assert.True(busy < 0);
    }

    [Fact]
    public async Task Spent_budget_names_operation_region_store_and_last_cause()
    {
        var (client, stores, _) = Setup(o => o.RawOperationBudget = TimeSpan.FromMilliseconds(300));
        await using var _c = client;
        stores.Intercept = (_, request) => new BatchResponse
        {
            RawGet = new RawGetResponse { RegionError = new Error { Message = "too many requests", ServerIsBusy = new ServerIsBusy() } },
        };
        var ex = await Assert.ThrowsAsync<BackoffExhaustedException>(() => client.Raw.GetAsync("h").AsTask());
        Assert.Equal("RawGet", ex.Operation);
        Assert.Equal(2UL, ex.RegionId);
        Assert.Equal("s2", ex.Store);
        Assert.Contains("ServerIsBusy", ex.Message);
        Assert.IsType<RegionException>(ex.InnerException);
    }

    [Fact]
    public async Task RaftEntryTooLarge_fails_at_once_without_retry()
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        stores.Intercept = (_, _) => new BatchResponse
        {
            RawPut = new RawPutResponse { RegionError = new Error { Message = "entry too large", RaftEntryTooLarge = new RaftEntryTooLarge { RegionId = 1 } } },
        };
        var ex = await Assert.ThrowsAsync<RegionException>(() => client.Raw.PutAsync("a", "v").AsTask());
        Assert.False(ex.IsRetryable);
        Assert.Equal("RaftEntryTooLarge", ex.Kind);
        Assert.Equal(1, stores.Requests);
    }

    [Fact]
    public async Task Transport_failure_on_the_leader_probes_the_next_peer()
    {
        var (client, stores, transport) = Setup();
        await using var _c = client;
        await client.Raw.PutAsync("a", "1");
        stores.SetRegions(
            (FakePdClient.MakeRegion(1, "", "g", 1, 1, 2, 3), 2),
            (FakePdClient.MakeRegion(2, "g", "p", 1, 1, 2, 3), 2),
            (FakePdClient.MakeRegion(3, "p", "", 1, 1, 2, 3), 3));
        stores.Intercept = (address, _) => address == "s1" ? throw new TiKVRpcException("s1", StatusCode.Unavailable, "connection refused") : null;
        var storeLookups = stores.Pd.GetStoreCalls;

        Assert.Equal("1", Encoding.UTF8.GetString((await client.Raw.GetAsync("a"))!));
        Assert.Contains(transport.Calls, c => c.Address == "s2");
        Assert.True(stores.Pd.GetStoreCalls > storeLookups, "the failed store's address is re-resolved");
    }

    [Fact]
    public async Task A_final_grpc_status_fails_at_once_without_spending_the_budget()
    {
        var (client, stores, transport) = Setup();
        await using var _c = client;
        stores.Intercept = (address, _) => throw new TiKVRpcException(address, StatusCode.Unimplemented, "method not served");

        var ex = await Assert.ThrowsAsync<TiKVRpcException>(() => client.Raw.GetAsync("a").AsTask());

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.False(ex.IsRetryable);
        Assert.Single(transport.Calls);
    }

    [Fact]
    public async Task StoreNotMatch_re_resolves_the_store_and_drops_its_connections()
    {
        var (client, stores, transport) = Setup();
        await using var _c = client;
        await client.Raw.PutAsync("a", "1");
        var once = 1;
        stores.Intercept = (_, _) => Interlocked.Exchange(ref once, 0) == 1
            ? new BatchResponse { RawGet = new RawGetResponse { RegionError = new Error { Message = "store not match", StoreNotMatch = new StoreNotMatch { RequestStoreId = 1, ActualStoreId = 9 } } } }
            : null;
        var lookups = stores.Pd.GetStoreCalls;
        Assert.NotNull(await client.Raw.GetAsync("a"));
        Assert.Contains("s1", transport.Dropped);
        Assert.True(stores.Pd.GetStoreCalls > lookups);
    }

    [Fact]
    public async Task Cas_is_not_retried_after_an_ambiguous_transport_failure()
    {
        var (client, stores, transport) = Setup();
        await using var _c = client;
        await client.Raw.PutAsync("a", "1");
        var calls = 0;
        transport.UnaryHandler = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new TiKVRpcException("s1", StatusCode.Unavailable, "stream reset after the request was sent");
        };
        await Assert.ThrowsAsync<UndeterminedResultException>(() => client.Raw.CompareAndSwapAsync("a", "1", "2").AsTask());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cas_swaps_only_on_a_matching_previous_value()
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        var (swapped, previous) = await client.Raw.CompareAndSwapAsync("k", null, "1");
        Assert.True(swapped);
        Assert.Null(previous);
        (swapped, previous) = await client.Raw.CompareAndSwapAsync("k", "0", "2");
        Assert.False(swapped);
        Assert.Equal("1", Encoding.UTF8.GetString(previous!));
        (swapped, _) = await client.Raw.CompareAndSwapAsync("k", "1", "2");
        Assert.True(swapped);
        Assert.Equal("2", Encoding.UTF8.GetString(stores.Read("k")!));
    }

    [Fact]
    public async Task Large_batches_are_cut_by_count_and_by_size()
    {
        var (client, stores, transport) = Setup();
        await using var _c = client;
        await client.Raw.BatchPutAsync(Enumerable.Range(0, 1100).Select(i => new KvPair(K($"a{i:D5}"), [1])));
        var counts = transport.Calls.Select(c => ((BatchRequest)c.Request).RawBatchPut.Pairs.Count).ToList();
        Assert.Equal(new[] { 512, 512, 76 }, counts);

        while (transport.Calls.TryDequeue(out _))
        {
        }

        var big = new byte[4000];
        await client.Raw.BatchPutAsync(Enumerable.Range(0, 10).Select(i => new KvPair(K($"b{i}"), big)));
        var sizes = transport.Calls.Select(c => ((BatchRequest)c.Request).RawBatchPut.Pairs.Count).ToList();
        Assert.Equal(new[] { 5, 5 }, sizes);
    }

    [Fact]
    public async Task Bad_input_is_rejected_before_anything_is_sent()
    {
        var (client, stores, _) = Setup(o => o.MaxValueSize = 1024);
        await using var _c = client;
        var raw = client.Raw;
        Assert.Contains("empty", (await Assert.ThrowsAsync<ArgumentException>(() => raw.GetAsync(ReadOnlyMemory<byte>.Empty).AsTask())).Message);
        await Assert.ThrowsAsync<ArgumentNullException>(() => raw.GetAsync((string)null!).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => raw.PutAsync("k", "").AsTask());
        Assert.Contains("1024", (await Assert.ThrowsAsync<ArgumentException>(() => raw.PutAsync(K("k"), new byte[2000]).AsTask())).Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => raw.PutAsync("k", "v", TimeSpan.FromSeconds(-1)).AsTask());
        Assert.Throws<ArgumentOutOfRangeException>(() => raw.ScanAsync("a", "b", limit: -1));
        Assert.Contains("inverted", Assert.Throws<ArgumentException>(() => raw.ScanAsync("b", "a")).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => raw.DeleteRangeAsync("z", "a"));
        Assert.Throws<ArgumentException>(() => raw.ReverseScanAsync(ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<ArgumentException>(() => raw.BatchGetAsync([K("a"), []]));
        Assert.Throws<ArgumentException>(() => raw.WithColumnFamily("nope"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => raw.WithAtomicForCas(false).CompareAndSwapAsync("k", null, "v").AsTask());
        Assert.Equal(0, stores.Requests);
    }

    [Fact]
    public async Task Disposed_client_refuses_calls()
    {
        var (client, _, _) = Setup();
        await client.Raw.PutAsync("a", "1");
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.Raw.GetAsync("a").AsTask());
    }

    [Fact]
    public async Task Cancellation_stops_an_operation_that_is_backing_off()
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        stores.Intercept = (_, _) => new BatchResponse
        {
            RawGet = new RawGetResponse { RegionError = new Error { Message = "busy", ServerIsBusy = new ServerIsBusy() } },
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Raw.GetAsync("a", cts.Token).AsTask());
    }

    public static TheoryData<string> RecoverableRegionErrors() =>
    [
        "RegionNotFound", "KeyNotInRegion", "StaleCommand", "NotLeaderWithoutLeader", "EpochNotMatchWithoutRegions",
        "MaxTimestampNotSynced", "ReadIndexNotReady", "ProposalInMergingMode", "RegionNotInitialized", "DiskFull", "Unknown",
    ];

    [Theory]
    [MemberData(nameof(RecoverableRegionErrors))]
    public async Task Each_recoverable_region_error_is_handled_and_the_request_succeeds(string kind)
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        await client.Raw.PutAsync("h", "1");
        var once = 1;
        stores.Intercept = (_, request) =>
        {
            if (request.CmdCase != BatchRequest.CmdOneofCase.RawGet || Interlocked.Exchange(ref once, 0) == 0)
            {
                return null;
            }

            var error = new Error { Message = kind };
            switch (kind)
            {
                case "RegionNotFound": error.RegionNotFound = new RegionNotFound { RegionId = 2 }; break;
                case "KeyNotInRegion": error.KeyNotInRegion = new KeyNotInRegion { RegionId = 2 }; break;
                case "StaleCommand": error.StaleCommand = new StaleCommand(); break;
                case "NotLeaderWithoutLeader": error.NotLeader = new NotLeader { RegionId = 2 }; break;
                case "EpochNotMatchWithoutRegions": error.EpochNotMatch = new EpochNotMatch(); break;
                case "MaxTimestampNotSynced": error.MaxTimestampNotSynced = new MaxTimestampNotSynced(); break;
                case "ReadIndexNotReady": error.ReadIndexNotReady = new ReadIndexNotReady { RegionId = 2 }; break;
                case "ProposalInMergingMode": error.ProposalInMergingMode = new ProposalInMergingMode { RegionId = 2 }; break;
                case "RegionNotInitialized": error.RegionNotInitialized = new RegionNotInitialized { RegionId = 2 }; break;
                case "DiskFull": error.DiskFull = new DiskFull(); break;
                default: break;
            }

            return new BatchResponse { RawGet = new RawGetResponse { RegionError = error } };
        };
        Assert.Equal("1", Encoding.UTF8.GetString((await client.Raw.GetAsync("h"))!));
        Assert.Equal(0, once);
    }

    [Fact]
    public async Task UndeterminedResult_region_error_surfaces_without_retry()
    {
        var (client, stores, _) = Setup();
        await using var _c = client;
        stores.Intercept = (_, _) => new BatchResponse
        {
            RawPut = new RawPutResponse { RegionError = new Error { Message = "undetermined", UndeterminedResult = new UndeterminedResult { Message = "apply unknown" } } },
        };
        await Assert.ThrowsAsync<UndeterminedResultException>(() => client.Raw.PutAsync("a", "v").AsTask());
        Assert.Equal(1, stores.Requests);
    }
}
