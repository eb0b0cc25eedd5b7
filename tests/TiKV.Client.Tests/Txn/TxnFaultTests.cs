using TiKV.Client.Tests.Integration;
using TiKV.DevCluster;
using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Lost answers and region errors in the middle of commits.</summary>
public class TxnFaultTests
{
    private static async Task<(TiKV.DevCluster.DevCluster Cluster, TiKVClient Client)> StartAsync()
    {
        var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3 });
        var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500)));
        return (cluster, client);
    }

    [Fact]
    public async Task A_lost_answer_to_the_primary_commit_is_undetermined_and_the_commit_may_have_happened()
    {
        var (cluster, client) = await StartAsync();
        await using var _ = cluster;
        await using var __ = client;
        await using var txn = await client.BeginTransactionAsync();
        txn.Set("a", "1");
        txn.Set("b", "2");
        cluster.Faults.DropResponses(method: "KvCommit", times: 1);

        await Assert.ThrowsAsync<UndeterminedResultException>(() => txn.CommitAsync());
        await txn.BackgroundWork;

        // The store applied the commit: a reader finds the primary committed and resolves the rest.
        var snapshot = client.GetSnapshot(await client.GetTimestampAsync());
        Assert.Equal([new KvPair("a", "1"), new KvPair("b", "2")], await snapshot.ScanAsync("", "").ToListAsync());
    }

    [Fact]
    public async Task Lost_prewrite_answers_and_stale_regions_are_retried_within_the_commit()
    {
        var (cluster, client) = await StartAsync();
        await using var _ = cluster;
        await using var __ = client;
        await using (var warm = await client.BeginTransactionAsync())
        {
            warm.Set("k0", "warm");
            await warm.CommitAsync();
        }

        // The client still routes everything to the old region after this split.
        await cluster.SplitRegionAsync(Encoded("k5"));
        cluster.Faults.DropResponses(method: "KvPrewrite", times: 1);
        await using var txn = await client.BeginTransactionAsync();
        for (var i = 0; i < 10; i++)
        {
            txn.Set($"k{i}", $"v{i}");
        }

        var commitTs = await txn.CommitAsync();
        await txn.BackgroundWork;
        var all = await client.GetSnapshot(commitTs).ScanAsync("k", "l").ToListAsync();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => new KvPair($"k{i}", $"v{i}")), all);
    }

    [Fact]
    public async Task A_lost_answer_to_an_async_commit_prewrite_is_undetermined()
    {
        var (cluster, client) = await StartAsync();
        await using var _ = cluster;
        await using var __ = client;
        await using var txn = await client.BeginTransactionAsync(new TransactionOptions { UseAsyncCommit = true });
        txn.Set("x", "1");
        cluster.Faults.DropResponses(method: "KvPrewrite", times: 1);
        await Assert.ThrowsAsync<UndeterminedResultException>(() => txn.CommitAsync());
    }

    [Fact]
    public async Task A_commit_ts_left_behind_by_readers_pushing_min_commit_ts_is_replaced_by_a_newer_one()
    {
        await using var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 1 });
        var logs = new CapturingLoggerFactory();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster), logs);
        await using (var seed = await client.BeginTransactionAsync())
        {
            seed.Set("k", "old");
            await seed.CommitAsync();
        }

        await using var txn = await client.BeginTransactionAsync();
        txn.Set("k", "new");
        cluster.Faults.InjectDelay(null, "KvCommit", TimeSpan.FromSeconds(1), times: 1);
        var committing = txn.CommitAsync();

        // While the primary commit is held up in the store, readers at newer timestamps meet the lock and push its
        // min_commit_ts past themselves, so the commit_ts taken before them is rejected as expired.
        var reads = new List<(ulong Ts, string Value)>();
        while (!committing.IsCompleted)
        {
            var snapshot = client.GetSnapshot(await client.GetTimestampAsync());
            reads.Add((snapshot.Timestamp, S(await snapshot.GetAsync("k"))));
            await Task.Delay(20);
        }

        var commitTs = await committing;
        Assert.Contains(logs.Events, e => e.Id == 104);
        Assert.Contains(reads, r => r.Value == "old");

        // Every read is consistent with the final commit_ts, including the ones that pushed it.
        Assert.All(reads, r => Assert.Equal(r.Ts >= commitTs ? "new" : "old", r.Value));
        Assert.Equal("new", S(await client.GetSnapshot(commitTs).GetAsync("k")));
    }
}
