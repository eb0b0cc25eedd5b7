using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class DurableClusterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-devcluster-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Restart_with_the_same_data_directory_restores_cluster_regions_safe_points_and_data()
    {
        ulong clusterId;
        List<DevRegionInfo> regions;
        ulong lastTimestamp;
        await using (var t = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }))
        {
            clusterId = t.Cluster.ClusterId;
            await t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
            for (var i = 0; i < 30; i++)
            {
                await t.RawPutAsync(Rpc.Bytes($"d{i:D2}"), Rpc.Bytes($"v{i}"));
            }

            await t.RawPutAsync(Rpc.Bytes("with-ttl"), Rpc.Bytes("t"), ttl: 3600);
            var key = Rpc.B("txn-key");
            var (context, storeId, _) = await t.LeaderContextAsync(KeyCodec.Encode(key.Span));
            var prewrite = await t.Call<PrewriteRequest, PrewriteResponse>(storeId, "KvPrewrite", new PrewriteRequest
            {
                Context = context,
                Mutations = { new Mutation { Op = Op.Put, Key = key, Value = Rpc.B("committed") } },
                PrimaryLock = key,
                StartVersion = 10,
                LockTtl = 3000,
            });
            Assert.Empty(prewrite.Errors);
            var commit = await t.Call<CommitRequest, CommitResponse>(storeId, "KvCommit", new CommitRequest { Context = context, Keys = { key }, StartVersion = 10, CommitVersion = 11 });
            Assert.Null(commit.Error);

            await t.PdCall<UpdateGCSafePointRequest, UpdateGCSafePointResponse>("UpdateGCSafePoint", new UpdateGCSafePointRequest { Header = t.Header, SafePoint = 5 });
            lastTimestamp = await TimestampAsync(t);
            regions = [.. t.Cluster.GetRegions()];
        }

        await using (var t = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }))
        {
            Assert.Equal(clusterId, t.Cluster.ClusterId);
            Assert.Equal(regions.Select(r => (r.Id, r.Version, r.StartKey.ToArray().Length)), t.Cluster.GetRegions().Select(r => (r.Id, r.Version, r.StartKey.ToArray().Length)));
            for (var i = 0; i < 30; i++)
            {
                Assert.Equal($"v{i}", System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes($"d{i:D2}")))!));
            }

            var (ttlContext, ttlStore, _) = await t.LeaderContextAsync(Rpc.Bytes("with-ttl"));
            var ttl = await t.Call<RawGetKeyTTLRequest, RawGetKeyTTLResponse>(ttlStore, "RawGetKeyTTL", new RawGetKeyTTLRequest { Context = ttlContext, Key = Rpc.B("with-ttl") });
            Assert.InRange(ttl.Ttl, 3500UL, 3600UL);

            var key = Rpc.B("txn-key");
            var (context, storeId, _) = await t.LeaderContextAsync(KeyCodec.Encode(key.Span));
            var get = await t.Call<GetRequest, GetResponse>(storeId, "KvGet", new GetRequest { Context = context, Key = key, Version = 20 });
            Assert.Equal("committed", get.Value.ToStringUtf8());

            var safePoint = await t.PdCall<GetGCSafePointRequest, GetGCSafePointResponse>("GetGCSafePoint", new GetGCSafePointRequest { Header = t.Header });
            Assert.Equal(5UL, safePoint.SafePoint);
            Assert.True(await TimestampAsync(t) > lastTimestamp);
        }
    }

    private static async Task<ulong> TimestampAsync(TestCluster t)
    {
        await using var call = t.Pd.DuplexStreaming(Rpc.PdMethod<TsoRequest, TsoResponse>("Tso"));
        await call.WriteAsync(new TsoRequest { Header = t.Header, Count = 1 });
        Assert.True(await call.MoveNextAsync());
        return ((ulong)call.Current.Timestamp.Physical << 18) | (ulong)call.Current.Timestamp.Logical;
    }
}
