using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;
using SubRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using SubResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.DevCluster.Tests.Store;

public sealed class BatchCommandsTests : IAsyncLifetime
{
    private static readonly GrpcMethod<BatchCommandsRequest, BatchCommandsResponse> Method = Rpc.Kv<BatchCommandsRequest, BatchCommandsResponse>("BatchCommands");
    private TestCluster _t = null!;

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync(new DevClusterOptions { BalanceLeaders = false });

    public async Task DisposeAsync() => await _t.DisposeAsync();

    private static async Task<Dictionary<ulong, SubResponse>> CollectAsync(DuplexStreamingCall<BatchCommandsRequest, BatchCommandsResponse> call, int expected)
    {
        var responses = new Dictionary<ulong, SubResponse>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (responses.Count < expected && await call.MoveNextAsync(timeout.Token))
        {
            var batch = call.Current;
            Assert.Equal(batch.RequestIds.Count, batch.Responses.Count);
            for (var i = 0; i < batch.RequestIds.Count; i++)
            {
                Assert.True(responses.TryAdd(batch.RequestIds[i], batch.Responses[i]), $"duplicate response for {batch.RequestIds[i]}");
            }
        }

        return responses;
    }

    [Fact]
    public async Task Mixed_sub_requests_are_answered_by_request_id()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var (followerContext, followerStore, _) = await _t.FollowerContextAsync(Rpc.Bytes("a"));
        await using var call = _t.Store(storeId).DuplexStreaming(Method);

        var request = new BatchCommandsRequest();
        for (var i = 0; i < 50; i++)
        {
            request.Requests.Add(new SubRequest { RawPut = new RawPutRequest { Context = context, Key = Rpc.B($"bk{i:D3}"), Value = Rpc.B($"v{i}") } });
            request.RequestIds.Add((ulong)(1000 + i));
        }

        await call.WriteAsync(request);
        var puts = await CollectAsync(call, 50);
        Assert.Equal(Enumerable.Range(1000, 50).Select(i => (ulong)i).Order(), puts.Keys.Order());
        Assert.All(puts.Values, r => Assert.Equal(SubResponse.CmdOneofCase.RawPut, r.CmdCase));

        var mixed = new BatchCommandsRequest
        {
            Requests =
            {
                new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("bk007") } },
                new SubRequest { RawScan = new RawScanRequest { Context = context, StartKey = Rpc.B("bk"), Limit = 5 } },
                new SubRequest { RawBatchGet = new RawBatchGetRequest { Context = context, Keys = { Rpc.B("bk001"), Rpc.B("bk002") } } },
                new SubRequest { RawGet = new RawGetRequest { Context = followerContext, Key = Rpc.B("bk001") } },
                new SubRequest { Empty = new BatchCommandsEmptyRequest { TestId = 77 } },
                new SubRequest(),
                new SubRequest { Get = new GetRequest { Context = context, Key = Rpc.B("txn"), Version = 10 } },
            },
            RequestIds = { 1, 2, 3, 4, 5, 6, 7 },
        };
        await call.WriteAsync(mixed);
        var answers = await CollectAsync(call, 7);
        Assert.Equal("v7", answers[1].RawGet.Value.ToStringUtf8());
        Assert.Equal(5, answers[2].RawScan.Kvs.Count);
        Assert.Equal(2, answers[3].RawBatchGet.Pairs.Count);

        // A region error stays inside its own sub-response (the follower context was sent to the leader's store).
        Assert.NotNull(answers[4].RawGet.RegionError);
        Assert.Equal(77UL, answers[5].Empty.TestId);
        Assert.Equal(SubResponse.CmdOneofCase.None, answers[6].CmdCase);
        Assert.True(answers[7].Get.NotFound);
        Assert.NotEqual(followerStore, storeId);

        await call.CompleteAsync();
        Assert.False(await call.MoveNextAsync());
    }

    [Fact]
    public async Task Many_concurrent_batches_all_complete()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        var reader = CollectAsync(call, 2000);
        for (var batch = 0; batch < 20; batch++)
        {
            var request = new BatchCommandsRequest();
            for (var i = 0; i < 100; i++)
            {
                var id = (ulong)(batch * 100 + i);
                request.Requests.Add(i % 2 == 0
                    ? new SubRequest { RawPut = new RawPutRequest { Context = context, Key = Rpc.B($"c{id}"), Value = Rpc.B("v") } }
                    : new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B($"c{id - 1}") } });
                request.RequestIds.Add(id);
            }

            await call.WriteAsync(request);
        }

        var responses = await reader;
        Assert.Equal(2000, responses.Count);
    }

    [Fact]
    public async Task Gc_sub_request_gets_no_response_and_the_stream_continues()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        await call.WriteAsync(new BatchCommandsRequest
        {
            Requests =
            {
                new SubRequest { GC = new GCRequest { Context = context, SafePoint = 1 } },
                new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("x") } },
            },
            RequestIds = { 1, 2 },
        });
        var answers = await CollectAsync(call, 1);
        Assert.Equal([2UL], answers.Keys);
        await call.CompleteAsync();
        Assert.False(await call.MoveNextAsync());
    }

    [Fact]
    public async Task Cluster_id_mismatch_fails_the_stream_with_invalid_argument()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        context.ClusterId = _t.Cluster.ClusterId + 5;
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        await call.WriteAsync(new BatchCommandsRequest
        {
            Requests = { new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("x") } } },
            RequestIds = { 1 },
        });
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.MoveNextAsync())
            {
            }
        });
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("does not match TiKV cluster id", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transport_layer_load_reports_requests_in_flight()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        _t.Cluster.Faults.InjectDelay(storeId, "RawGet", TimeSpan.FromSeconds(2), times: 10);
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        var request = new BatchCommandsRequest();
        for (var i = 0; i < 10; i++)
        {
            request.Requests.Add(new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("x") } });
            request.RequestIds.Add((ulong)i);
        }

        request.Requests.Add(new SubRequest { RawScan = new RawScanRequest { Context = context, Limit = 1 } });
        request.RequestIds.Add(100);
        await call.WriteAsync(request);

        Assert.True(await call.MoveNextAsync());
        Assert.Equal([100UL], call.Current.RequestIds);
        Assert.Equal(10UL, call.Current.TransportLayerLoad);
        var rest = await CollectAsync(call, 10);
        Assert.Equal(10, rest.Count);
    }
}
