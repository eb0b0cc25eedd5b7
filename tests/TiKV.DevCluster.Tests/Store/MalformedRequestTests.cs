using Google.Protobuf;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.DevCluster.Tests.Store;

public sealed class MalformedRequestTests : IAsyncLifetime
{
    private TestCluster _t = null!;
    private readonly RawGrpcClient _raw = new();

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync();

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _t.DisposeAsync();
    }

    private async Task AssertStillServingAsync()
    {
        await _t.RawPutAsync(Rpc.Bytes("alive"), Rpc.Bytes("yes"));
        Assert.Equal("yes", System.Text.Encoding.UTF8.GetString((await _t.RawGetAsync(Rpc.Bytes("alive")))!));
    }

    [Fact]
    public async Task Garbage_protobuf_gets_internal_and_the_store_keeps_serving()
    {
        var store = _t.Cluster.Stores[0].Address;
        var (status, message, _) = await _raw.SendAsync(store, "/tikvpb.Tikv/RawGet", RawGrpcClient.Frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        Assert.Equal((int)StatusCode.Internal, status);
        Assert.Contains("deserialize", message, StringComparison.OrdinalIgnoreCase);

        var (unknown, _, _) = await _raw.SendAsync(store, "/tikvpb.Tikv/NoSuchMethod", RawGrpcClient.Frame([]));
        Assert.Equal((int)StatusCode.Unimplemented, unknown);

        var (truncated, _, _) = await _raw.SendAsync(store, "/tikvpb.Tikv/RawPut", [0, 0, 0, 0, 50, 1, 2]);
        Assert.NotEqual(0, truncated);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Fuzzing_every_store_and_pd_method_with_random_bytes_never_breaks_the_servers()
    {
        var random = new Random(20240611);
        var store = _t.Cluster.Stores[0].Address;
        var targets = Rpc.Tikv.Methods.Where(m => !m.IsClientStreaming).Select(m => (store, $"/tikvpb.Tikv/{m.Name}"))
            .Concat(Rpc.Pd.Methods.Where(m => !m.IsClientStreaming).Select(m => (_t.Cluster.PdAddress, $"/pdpb.PD/{m.Name}")))
            .ToList();
        var statuses = new HashSet<int>();
        foreach (var (address, path) in targets)
        {
            for (var i = 0; i < 12; i++)
            {
                var payload = new byte[random.Next(0, 64)];
                random.NextBytes(payload);
                var (status, _, _) = await _raw.SendAsync(address, path, RawGrpcClient.Frame(payload));
                statuses.Add(status);
            }
        }

        // Random bytes sometimes parse (the handler answers) and sometimes do not (Internal); nothing else breaks.
        Assert.Contains((int)StatusCode.Internal, statuses);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Fuzzing_batch_commands_with_parseable_random_sub_requests_keeps_the_stream_usable()
    {
        var random = new Random(7);
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var parsed = 0;
        for (var round = 0; round < 200; round++)
        {
            // A random command filled from random bytes; half of them carry a valid context so the handlers run.
            var fields = BatchCommandsRequest.Types.Request.Descriptor.Fields.InDeclarationOrder();
            var field = fields[random.Next(fields.Count)];
            var payload = new byte[random.Next(0, 48)];
            random.NextBytes(payload);
            IMessage inner;
            try
            {
                inner = field.MessageType.Parser.ParseFrom(payload);
            }
            catch (InvalidProtocolBufferException)
            {
                inner = field.MessageType.Parser.ParseFrom([]);
            }

            if (random.Next(2) == 0 && inner.Descriptor.FindFieldByName("context") is { } contextField)
            {
                contextField.Accessor.SetValue(inner, context.Clone());
            }

            var sub = new BatchCommandsRequest.Types.Request();
            field.Accessor.SetValue(sub, inner);
            parsed++;
            await using var call = _t.Store(storeId).DuplexStreaming(Rpc.Kv<BatchCommandsRequest, BatchCommandsResponse>("BatchCommands"));
            await call.WriteAsync(new BatchCommandsRequest
            {
                Requests = { sub, new BatchCommandsRequest.Types.Request { RawGet = new RawGetRequest { Context = context, Key = Rpc.B("a") } } },
                RequestIds = { 1, 2 },
            });
            await call.CompleteAsync();
            var ids = new List<ulong>();
            try
            {
                await foreach (var response in call.ReadAllAsync())
                {
                    ids.AddRange(response.RequestIds);
                }

                Assert.Contains(2UL, ids);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                // A random context may name another cluster id: TiKV fails the stream for that.
            }
        }

        Assert.Equal(200, parsed);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Absurd_limits_and_huge_requests_get_tikvs_answers()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(Rpc.Bytes("a"));
        var scan = await _t.Call<RawScanRequest, RawScanResponse>(storeId, "RawScan", new RawScanRequest { Context = context, Limit = uint.MaxValue, EndKey = ByteString.CopyFrom(Enumerable.Repeat((byte)0xFF, 100).ToArray()) });
        Assert.Null(scan.RegionError);

        var batchGet = new RawBatchGetRequest { Context = context };
        for (var i = 0; i < 20_000; i++)
        {
            batchGet.Keys.Add(Rpc.B($"missing{i}"));
        }

        Assert.Empty((await _t.Call<RawBatchGetRequest, RawBatchGetResponse>(storeId, "RawBatchGet", batchGet)).Pairs);

        // A proposal over TiKV's raft-entry-max-size (8 MiB) is refused with RaftEntryTooLarge.
        var big = new RawBatchPutRequest { Context = context };
        for (var i = 0; i < 9; i++)
        {
            big.Pairs.Add(new KvPair { Key = Rpc.B($"big{i}"), Value = ByteString.CopyFrom(new byte[1024 * 1024]) });
        }

        var tooLarge = await _t.Call<RawBatchPutRequest, RawBatchPutResponse>(storeId, "RawBatchPut", big);
        Assert.NotNull(tooLarge.RegionError.RaftEntryTooLarge);

        var gc = await Assert.ThrowsAsync<RpcException>(() => _t.Call<GCRequest, GCResponse>(storeId, "KvGC", new GCRequest { Context = context }));
        Assert.Equal(StatusCode.Unimplemented, gc.StatusCode);

        var destroy = await _t.Call<UnsafeDestroyRangeRequest, UnsafeDestroyRangeResponse>(storeId, "UnsafeDestroyRange", new UnsafeDestroyRangeRequest { Context = context });
        Assert.NotEqual("", destroy.Error);
        await AssertStillServingAsync();
    }
}
