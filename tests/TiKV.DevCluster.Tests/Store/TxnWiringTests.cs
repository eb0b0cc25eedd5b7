using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Pdpb;
using TiKV.Proto.Tikvpb;
using SubRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;

namespace TiKV.DevCluster.Tests.Store;

/// <summary>Transactional RPCs reach the MVCC engine with the region's range and the region checks applied.</summary>
public sealed class TxnWiringTests : IAsyncLifetime
{
    private TestCluster _t = null!;

    public async Task InitializeAsync() => _t = await TestCluster.StartAsync(new DevClusterOptions { BalanceLeaders = false });

    public async Task DisposeAsync() => await _t.DisposeAsync();

    private async Task CommitAsync(IEnumerable<string> keys, ulong startTs, ulong commitTs, string value = "v")
    {
        var list = keys.Select(Rpc.B).ToList();
        foreach (var group in list.GroupBy(k => _t.Cluster.GetRegions().Single(r =>
                     KeyComparer.InRange(KeyCodec.Encode(k.Span), r.StartKey.Span, r.EndKey.Span)).Id))
        {
            var first = group.First();
            var (context, storeId, _) = await _t.LeaderContextAsync(KeyCodec.Encode(first.Span));
            var prewrite = new PrewriteRequest { Context = context, PrimaryLock = list[0], StartVersion = startTs, LockTtl = 3000 };
            prewrite.Mutations.AddRange(group.Select(k => new Mutation { Op = Op.Put, Key = k, Value = Rpc.B(value) }));
            var prewriteResponse = await _t.Call<PrewriteRequest, PrewriteResponse>(storeId, "KvPrewrite", prewrite);
            Assert.Null(prewriteResponse.RegionError);
            Assert.Empty(prewriteResponse.Errors);
            var commit = new CommitRequest { Context = context, StartVersion = startTs, CommitVersion = commitTs };
            commit.Keys.AddRange(group);
            var commitResponse = await _t.Call<CommitRequest, CommitResponse>(storeId, "KvCommit", commit);
            Assert.Null(commitResponse.RegionError);
            Assert.Null(commitResponse.Error);
        }
    }

    [Fact]
    public async Task KvScan_and_KvScanLock_stop_at_the_region_boundary()
    {
        await _t.Cluster.SplitRegionAsync(KeyCodec.Encode(Rpc.Bytes("k5")));
        await CommitAsync(["k1", "k2", "k3", "k6", "k7"], 10, 11);

        var (left, leftStore, _) = await _t.LeaderContextAsync(KeyCodec.Encode(Rpc.Bytes("k1")));
        var scan = await _t.Call<ScanRequest, ScanResponse>(leftStore, "KvScan", new ScanRequest { Context = left, StartKey = Rpc.B("k"), Limit = 100, Version = 20 });
        Assert.Null(scan.RegionError);
        Assert.Equal(["k1", "k2", "k3"], scan.Pairs.Select(p => p.Key.ToStringUtf8()));

        var (right, rightStore, _) = await _t.LeaderContextAsync(KeyCodec.Encode(Rpc.Bytes("k6")));
        var rest = await _t.Call<ScanRequest, ScanResponse>(rightStore, "KvScan", new ScanRequest { Context = right, StartKey = Rpc.B("k5"), Limit = 100, Version = 20 });
        Assert.Equal(["k6", "k7"], rest.Pairs.Select(p => p.Key.ToStringUtf8()));

        // Locks left behind by a prewrite are found only in their own region.
        var prewrite = await _t.Call<PrewriteRequest, PrewriteResponse>(leftStore, "KvPrewrite", new PrewriteRequest
        {
            Context = left,
            PrimaryLock = Rpc.B("k2"),
            StartVersion = 30,
            LockTtl = 3000,
            Mutations = { new Mutation { Op = Op.Put, Key = Rpc.B("k2"), Value = Rpc.B("new") } },
        });
        Assert.Empty(prewrite.Errors);
        var leftLocks = await _t.Call<ScanLockRequest, ScanLockResponse>(leftStore, "KvScanLock", new ScanLockRequest { Context = left, MaxVersion = 100, Limit = 10 });
        Assert.Equal("k2", Assert.Single(leftLocks.Locks).Key.ToStringUtf8());
        var rightLocks = await _t.Call<ScanLockRequest, ScanLockResponse>(rightStore, "KvScanLock", new ScanLockRequest { Context = right, StartKey = Rpc.B("k5"), MaxVersion = 100, Limit = 10 });
        Assert.Empty(rightLocks.Locks);

        // ResolveLock without keys resolves every lock of the transaction in the region.
        var resolve = await _t.Call<ResolveLockRequest, ResolveLockResponse>(leftStore, "KvResolveLock", new ResolveLockRequest { Context = left, StartVersion = 30, CommitVersion = 0 });
        Assert.Null(resolve.RegionError);
        Assert.Null(resolve.Error);
        var after = await _t.Call<ScanLockRequest, ScanLockResponse>(leftStore, "KvScanLock", new ScanLockRequest { Context = left, MaxVersion = 100, Limit = 10 });
        Assert.Empty(after.Locks);
    }

    [Fact]
    public async Task Transactions_work_through_BatchCommands()
    {
        var (context, storeId, _) = await _t.LeaderContextAsync(KeyCodec.Encode(Rpc.Bytes("b")));
        await using var call = _t.Store(storeId).DuplexStreaming(Rpc.Kv<BatchCommandsRequest, BatchCommandsResponse>("BatchCommands"));
        async Task<BatchCommandsResponse.Types.Response> SendAsync(SubRequest request, ulong id)
        {
            await call.WriteAsync(new BatchCommandsRequest { Requests = { request }, RequestIds = { id } });
            Assert.True(await call.MoveNextAsync());
            Assert.Equal([id], call.Current.RequestIds);
            return call.Current.Responses[0];
        }

        var prewrite = await SendAsync(new SubRequest
        {
            Prewrite = new PrewriteRequest { Context = context, PrimaryLock = Rpc.B("b"), StartVersion = 50, LockTtl = 3000, Mutations = { new Mutation { Op = Op.Put, Key = Rpc.B("b"), Value = Rpc.B("batched") } } },
        }, 1);
        Assert.Empty(prewrite.Prewrite.Errors);

        var locked = await SendAsync(new SubRequest { Get = new GetRequest { Context = context, Key = Rpc.B("b"), Version = 60 } }, 2);
        Assert.NotNull(locked.Get.Error.Locked);

        var commit = await SendAsync(new SubRequest { Commit = new CommitRequest { Context = context, Keys = { Rpc.B("b") }, StartVersion = 50, CommitVersion = 51 } }, 3);
        Assert.Null(commit.Commit.Error);

        var read = await SendAsync(new SubRequest { BatchGet = new BatchGetRequest { Context = context, Keys = { Rpc.B("b") }, Version = 60 } }, 4);
        Assert.Equal("batched", Assert.Single(read.BatchGet.Pairs).Value.ToStringUtf8());
    }

    [Fact]
    public async Task Advancing_the_gc_safe_point_collects_old_versions()
    {
        await CommitAsync(["g"], 10, 11, "old");
        await CommitAsync(["g"], 20, 21, "new");
        var (context, storeId, _) = await _t.LeaderContextAsync(KeyCodec.Encode(Rpc.Bytes("g")));
        var before = await _t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = Rpc.B("g"), Version = 15 });
        Assert.Equal("old", before.Value.ToStringUtf8());

        await _t.PdCall<UpdateGCSafePointRequest, UpdateGCSafePointResponse>("UpdateGCSafePoint", new UpdateGCSafePointRequest { Header = _t.Header, SafePoint = 30 });
        await TestCluster.EventuallyAsync(() => _t.Cluster.Runtime.GcWorker.LastSafePoint >= 30, "GC up to the new safe point");

        var latest = await _t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = Rpc.B("g"), Version = 40 });
        Assert.Equal("new", latest.Value.ToStringUtf8());
        var collected = await _t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = Rpc.B("g"), Version = 15 });
        Assert.True(collected.NotFound);
    }

    [Fact]
    public async Task Service_safe_points_hold_gc_back()
    {
        await CommitAsync(["h"], 10, 11, "old");
        await CommitAsync(["h"], 20, 21, "new");
        await _t.PdCall<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse>("UpdateServiceGCSafePoint", new UpdateServiceGCSafePointRequest
        {
            Header = _t.Header,
            ServiceId = Rpc.B("gc_worker"),
            TTL = long.MaxValue,
            SafePoint = 1,
        });
        await _t.PdCall<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse>("UpdateServiceGCSafePoint", new UpdateServiceGCSafePointRequest
        {
            Header = _t.Header,
            ServiceId = Rpc.B("backup"),
            TTL = 3600,
            SafePoint = 12,
        });
        await _t.PdCall<UpdateGCSafePointRequest, UpdateGCSafePointResponse>("UpdateGCSafePoint", new UpdateGCSafePointRequest { Header = _t.Header, SafePoint = 30 });
        await TestCluster.EventuallyAsync(() => _t.Cluster.Runtime.GcWorker.LastSafePoint == 12, "GC held at the service safe point");

        var (context, storeId, _) = await _t.LeaderContextAsync(KeyCodec.Encode(Rpc.Bytes("h")));
        var old = await _t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = Rpc.B("h"), Version = 15 });
        Assert.Equal("old", old.Value.ToStringUtf8());
    }
}
