using Google.Protobuf;
using System.Collections.Concurrent;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class SplitTests
{
    [Fact]
    public async Task Splits_under_concurrent_writes_lose_no_acknowledged_write()
    {
        await using var t = await TestCluster.StartAsync();
        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task WriterAsync(int writer)
        {
            for (var i = 0; !stop.IsCancellationRequested || i < 20; i++)
            {
                var key = $"w{writer}-{i:D5}";
                await t.RawPutAsync(Rpc.Bytes(key), Rpc.Bytes(key));
                acknowledged.Add(key);
                if (i > 400)
                {
                    return;
                }
            }
        }

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() => WriterAsync(w))).ToList();
        foreach (var split in new[] { "w1", "w2", "w0-002", "w3-001", "w1-003", "w2-002" })
        {
            await Task.Delay(30);
            await t.Cluster.SplitRegionAsync(Rpc.Bytes(split));
        }

        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.True(t.Cluster.GetRegions().Count >= 7);
        foreach (var key in acknowledged)
        {
            Assert.Equal(key, System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes(key)))!));
        }
    }

    [Fact]
    public async Task Regions_split_automatically_past_the_key_threshold()
    {
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { RegionSplitKeys = 40, RegionSplitSizeBytes = 1 << 20 });
        for (var i = 0; i < 200; i++)
        {
            await t.RawPutAsync(Rpc.Bytes($"auto{i:D4}"), Rpc.Bytes("value"));
        }

        await TestCluster.EventuallyAsync(() => t.Cluster.GetRegions().Count >= 4, "automatic splits");
        var regions = t.Cluster.GetRegions();
        for (var i = 1; i < regions.Count; i++)
        {
            Assert.True(regions[i - 1].EndKey.Span.SequenceEqual(regions[i].StartKey.Span));
            Assert.True(regions[i].Version > 1);
        }

        for (var i = 0; i < 200; i += 17)
        {
            Assert.NotNull(await t.RawGetAsync(Rpc.Bytes($"auto{i:D4}")));
        }
    }

    [Fact]
    public async Task Transactional_data_splits_between_user_keys_not_between_versions()
    {
        await using var t = await TestCluster.StartAsync(new DevClusterOptions { RegionSplitKeys = 30, RegionSplitSizeBytes = 1 << 20 });
        ulong ts = 100;
        for (var i = 0; i < 60; i++)
        {
            var key = Rpc.B($"tx{i:D3}");
            await CommitOneAsync(t, key, ts);
            ts += 2;
        }

        await TestCluster.EventuallyAsync(() => t.Cluster.GetRegions().Count >= 2, "a transactional split");
        foreach (var region in t.Cluster.GetRegions().Skip(1))
        {
            // Every boundary is a complete encoded user key (no timestamp suffix).
            Assert.True(KeyCodec.TryDecode(region.StartKey.Span, out var userKey), "boundary must decode as an encoded key");
            Assert.StartsWith("tx", System.Text.Encoding.UTF8.GetString(userKey), StringComparison.Ordinal);
        }

        var probe = Rpc.B("tx042");
        var (readContext, readStore, _) = await t.LeaderContextAsync(KeyCodec.Encode(probe.Span));
        var get = await t.Call<GetRequest, GetResponse>(readStore, "KvGet", new GetRequest { Context = readContext, Key = probe, Version = ts + 10 });
        Assert.Equal("v", get.Value.ToStringUtf8());
    }

    /// <summary>Prewrites and commits one key, re-routing through PD on region errors as a client would.</summary>
    private static async Task CommitOneAsync(TestCluster t, ByteString key, ulong ts)
    {
        for (var attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 50, "prewrite kept failing with region errors");
            var (context, storeId, _) = await t.LeaderContextAsync(KeyCodec.Encode(key.Span));
            var prewrite = await t.Call<PrewriteRequest, PrewriteResponse>(storeId, "KvPrewrite", new PrewriteRequest
            {
                Context = context,
                Mutations = { new Mutation { Op = Op.Put, Key = key, Value = Rpc.B("v") } },
                PrimaryLock = key,
                StartVersion = ts,
                LockTtl = 3000,
            });
            if (prewrite.RegionError is null)
            {
                Assert.Empty(prewrite.Errors);
                break;
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 50, "commit kept failing with region errors");
            var (context, storeId, _) = await t.LeaderContextAsync(KeyCodec.Encode(key.Span));
            var commit = await t.Call<CommitRequest, CommitResponse>(storeId, "KvCommit", new CommitRequest { Context = context, Keys = { key }, StartVersion = ts, CommitVersion = ts + 1 });
            if (commit.RegionError is null)
            {
                Assert.Null(commit.Error);
                return;
            }
        }
    }

    [Fact]
    public async Task SplitRegionAsync_on_an_existing_boundary_returns_that_region()
    {
        await using var t = await TestCluster.StartAsync();
        var first = await t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
        var again = await t.Cluster.SplitRegionAsync(Rpc.Bytes("m"));
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Version, again.Version);
        Assert.Equal(2, t.Cluster.GetRegions().Count);
        await Assert.ThrowsAsync<ArgumentException>(() => t.Cluster.SplitRegionAsync(ReadOnlyMemory<byte>.Empty));
    }
}
