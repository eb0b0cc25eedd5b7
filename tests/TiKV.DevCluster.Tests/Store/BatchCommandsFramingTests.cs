using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;
using SubRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using SubResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.DevCluster.Tests.Store;

/// <summary>
/// How a store frames its BatchCommands answers: sub-requests that finish at once are answered together, a request
/// frame's answers in one response frame (request frames that arrive together may share one; at most 128 answers
/// each); sub-requests that wait are answered later on their own, and faults still apply to each sub-request.
/// </summary>
public sealed class BatchCommandsFramingTests : IAsyncLifetime
{
    private static readonly GrpcMethod<BatchCommandsRequest, BatchCommandsResponse> Method = Rpc.Kv<BatchCommandsRequest, BatchCommandsResponse>("BatchCommands");
    private TestCluster _t = null!;

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync(new DevClusterOptions { BalanceLeaders = false });

    public async Task DisposeAsync() => await _t.DisposeAsync();

    private static async Task<BatchCommandsResponse> NextFrameAsync(DuplexStreamingCall<BatchCommandsRequest, BatchCommandsResponse> call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Assert.True(await call.MoveNextAsync(timeout.Token), "the stream ended before the expected response frame");
        var frame = call.Current;
        Assert.Equal(frame.RequestIds.Count, frame.Responses.Count);
        return frame;
    }

    [Fact]
    public async Task A_frame_of_immediate_reads_is_answered_by_one_frame()
    {
        await _t.RawPutAsync(Rpc.Bytes("fk"), Rpc.Bytes("fv"));
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("fk"));
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        var request = new BatchCommandsRequest();
        for (var i = 0; i < 64; i++)
        {
            request.Requests.Add(new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B(i % 2 == 0 ? "fk" : "missing") } });
            request.RequestIds.Add((ulong)(500 + i));
        }

        await call.WriteAsync(request);
        var frame = await NextFrameAsync(call);

        Assert.Equal(request.RequestIds, frame.RequestIds);
        for (var i = 0; i < 64; i++)
        {
            var get = frame.Responses[i].RawGet;
            Assert.Null(get.RegionError);
            Assert.Equal(i % 2 != 0, get.NotFound);
            Assert.Equal(i % 2 == 0 ? "fv" : "", get.Value.ToStringUtf8());
        }

        Assert.Equal(0UL, frame.TransportLayerLoad);
        await call.CompleteAsync();
        Assert.False(await call.MoveNextAsync());
    }

    [Fact]
    public async Task Answers_of_a_large_frame_are_split_into_frames_of_at_most_128()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        var request = new BatchCommandsRequest();
        for (var i = 0; i < 300; i++)
        {
            request.Requests.Add(new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B($"k{i}") } });
            request.RequestIds.Add((ulong)i);
        }

        await call.WriteAsync(request);
        var sizes = new List<int>();
        var ids = new List<ulong>();
        while (ids.Count < 300)
        {
            var frame = await NextFrameAsync(call);
            sizes.Add(frame.Responses.Count);
            ids.AddRange(frame.RequestIds);
        }

        Assert.Equal([128, 128, 44], sizes);
        Assert.Equal(request.RequestIds, ids);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await http.GetStringAsync($"http://{_t.Cluster.Stores.Single(s => s.Id == storeId).StatusAddress}/metrics");
        Assert.Contains($"tikv_devcluster_requests_total{{store=\"{storeId}\",method=\"RawGet\"}} 300\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_frames_sent_back_to_back_are_all_answered_once_in_frames_of_at_most_128()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        const int Frames = 12;
        const int PerFrame = 50;
        for (var f = 0; f < Frames; f++)
        {
            var request = new BatchCommandsRequest();
            for (var i = 0; i < PerFrame; i++)
            {
                var id = (ulong)(f * PerFrame + i);
                request.Requests.Add(new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B($"b{id}") } });
                request.RequestIds.Add(id);
            }

            await call.WriteAsync(request);
        }

        var ids = new HashSet<ulong>();
        while (ids.Count < Frames * PerFrame)
        {
            var frame = await NextFrameAsync(call);
            Assert.InRange(frame.Responses.Count, 1, 128);
            Assert.All(frame.RequestIds, id => Assert.True(ids.Add(id), $"request {id} answered twice"));
            Assert.All(frame.Responses, r => Assert.True(r.RawGet.NotFound));
        }

        await call.CompleteAsync();
        Assert.False(await call.MoveNextAsync());
    }

    [Fact]
    public async Task Faults_apply_per_sub_request_and_a_waiting_one_does_not_hold_back_the_others()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        _t.Cluster.Faults.InjectServerIsBusy(storeId, "RawGet", times: 2);
        _t.Cluster.Faults.DropResponses(storeId, "RawScan", times: 1);
        _t.Cluster.Faults.InjectDelay(storeId, "RawBatchGet", TimeSpan.FromHours(1), times: 1);
        await using var call = _t.Store(storeId).DuplexStreaming(Method);
        await call.WriteAsync(new BatchCommandsRequest
        {
            Requests =
            {
                new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("g1") } },
                new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("g2") } },
                new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("g3") } },
                new SubRequest { RawScan = new RawScanRequest { Context = context, Limit = 1 } },
                new SubRequest { RawBatchGet = new RawBatchGetRequest { Context = context, Keys = { Rpc.B("g1") } } },
                new SubRequest { RawPut = new RawPutRequest { Context = context, Key = Rpc.B("g4"), Value = Rpc.B("v") } },
            },
            RequestIds = { 1, 2, 3, 4, 5, 6 },
        });

        // The busy, plain and put answers come together; the dropped scan never comes; the delayed batch get is
        // still in flight, which the frame reports as the store's load.
        var first = await NextFrameAsync(call);
        Assert.Equal([1UL, 2, 3, 6], first.RequestIds);
        Assert.NotNull(first.Responses[0].RawGet.RegionError?.ServerIsBusy);
        Assert.NotNull(first.Responses[1].RawGet.RegionError?.ServerIsBusy);
        Assert.Null(first.Responses[2].RawGet.RegionError);
        Assert.True(first.Responses[2].RawGet.NotFound);
        Assert.Equal(SubResponse.CmdOneofCase.RawPut, first.Responses[3].CmdCase);
        Assert.Equal(1UL, first.TransportLayerLoad);

        // The stream keeps serving while the delayed sub-request waits.
        await call.WriteAsync(new BatchCommandsRequest
        {
            Requests = { new SubRequest { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("g4") } } },
            RequestIds = { 7 },
        });
        var second = await NextFrameAsync(call);
        Assert.Equal([7UL], second.RequestIds);
        Assert.Equal("v", second.Responses[0].RawGet.Value.ToStringUtf8());
    }
}
