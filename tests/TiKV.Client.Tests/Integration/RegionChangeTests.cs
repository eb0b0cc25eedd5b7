using System.Collections.Concurrent;
using System.Text;
using TiKV.DevCluster;

namespace TiKV.Client.Tests.Integration;

/// <summary>Each test owns its cluster: splits, leader moves, store failures and faults while the client works.</summary>
public class RegionChangeTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    private static Task<TiKV.DevCluster.DevCluster> StartAsync(int stores = 3) =>
        TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = stores, ElectionTimeout = TimeSpan.FromMilliseconds(300) });

    [Fact]
    public async Task Every_operation_works_across_many_regions()
    {
        await using var cluster = await StartAsync();
        for (var c = 'b'; c <= 'y'; c += (char)2)
        {
            await cluster.SplitRegionAsync(K(c.ToString()));
        }

        Assert.True(cluster.GetRegions().Count >= 13);
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        var raw = client.Raw;
        var pairs = Enumerable.Range(0, 26 * 20).Select(i => new KvPair($"{(char)('a' + i / 20)}{i % 20:D2}", $"v{i}")).ToList();
        await raw.BatchPutAsync(pairs);

        Assert.Equal(pairs, await raw.ScanAsync("").ToListAsync());
        Assert.Equal(pairs.AsEnumerable().Reverse().Take(45), await raw.ReverseScanAsync("zz").Take(45).ToListAsync());
        Assert.Equal(pairs.Skip(15).Take(30), await raw.ScanAsync("a15", limit: 30).ToListAsync());
        Assert.Equal(pairs.Skip(30).Take(100).Reverse(), await raw.ReverseScanAsync(pairs[130].Key, pairs[30].Key).ToListAsync());
        Assert.Equal(pairs, await raw.BatchGetAsync(pairs.Select(p => p.Key)));
        Assert.Equal("v77", S(await raw.GetAsync("d17")));

        await raw.DeleteRangeAsync("c05", "w05");
        var left = await raw.ScanAsync("").ToListAsync();
        Assert.Equal(pairs.Where(p => string.CompareOrdinal(p.KeyAsString(), "c05") < 0 || string.CompareOrdinal(p.KeyAsString(), "w05") >= 0), left);

        await raw.BatchDeleteAsync(left.Select(p => p.Key));
        Assert.Empty(await raw.ScanAsync("").ToListAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Splits_and_leader_transfers_while_64_tasks_read_and_write(bool batched)
    {
        await using var cluster = await StartAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.EnableBatchCommands = batched));
        var raw = client.Raw;
        var acknowledged = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var errors = new ConcurrentQueue<Exception>();

        var workers = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var key = $"w{(char)('a' + w % 26)}{w:D2}-{i % 50:D3}";
                    var value = $"{w}-{i}";
                    await raw.PutAsync(key, value);
                    acknowledged[key] = value;
                    Assert.Equal(value, S(await raw.GetAsync(key)));
                    i++;
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    return;
                }
            }
        })).ToArray();

        var random = new Random(11);
        for (var round = 0; round < 12; round++)
        {
            await Task.Delay(40);
            await cluster.SplitRegionAsync(K($"w{(char)('a' + random.Next(26))}{random.Next(64):D2}"));
            var regions = cluster.GetRegions();
            var region = regions[random.Next(regions.Count)];
            var target = region.PeerStoreIds.First(s => s != region.LeaderStoreId);
            await cluster.TransferLeaderAsync(region.Id, target);
        }

        await Task.Delay(100);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.Empty(errors);
        Assert.True(acknowledged.Count > 100);
        var stored = (await raw.BatchGetAsync(acknowledged.Keys)).ToDictionary(p => p.KeyAsString(), p => p.ValueAsString());
        Assert.Equal(acknowledged.OrderBy(p => p.Key), stored.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Killed_store_loses_no_acknowledged_write_and_work_continues_after_restart()
    {
        await using var cluster = await StartAsync();
        foreach (var split in new[] { "k2", "k4", "k6", "k8" })
        {
            await cluster.SplitRegionAsync(K(split));
        }

        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        var raw = client.Raw;
        var acknowledged = new ConcurrentDictionary<string, string>();
        var errors = new ConcurrentQueue<Exception>();
        var writes = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = $"k{w % 10}-{w:D2}-{i++ % 40:D2}";
                var value = $"{w}:{i}";
                try
                {
                    await raw.PutAsync(key, value);
                    acknowledged[key] = value;
                    Interlocked.Increment(ref writes);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    return;
                }
            }
        })).ToArray();

        await Task.Delay(300);
        var victim = cluster.GetRegions().GroupBy(r => r.LeaderStoreId).OrderByDescending(g => g.Count()).First().Key;
        await cluster.KillStoreAsync(victim);
        await Task.Delay(700);
        var whileDown = Volatile.Read(ref writes);
        // Writes must resume on the new leaders while the store is still down; a loaded machine may take a
        // while to get there, so wait for progress (bounded) rather than for a fixed window.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Volatile.Read(ref writes) <= whileDown + 10 && DateTime.UtcNow < deadline && errors.IsEmpty)
        {
            await Task.Delay(50);
        }

        Assert.True(Volatile.Read(ref writes) > whileDown + 10, $"writes continue while the store is down; worker errors: {string.Join(" | ", errors.Select(e => e.GetType().Name + ": " + e.Message))}");
        Assert.NotEqual(DevStoreState.Up, cluster.Stores.Single(s => s.Id == victim).State);
        await cluster.RestartStoreAsync(victim);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Empty(errors);
        var stored = (await raw.BatchGetAsync(acknowledged.Keys)).ToDictionary(p => p.KeyAsString(), p => p.ValueAsString());
        Assert.Equal(acknowledged.OrderBy(p => p.Key), stored.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Persistent_server_is_busy_spends_the_budget_and_names_the_cause()
    {
        await using var cluster = await StartAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.RawOperationBudget = TimeSpan.FromSeconds(3)));
        await client.Raw.PutAsync("k", "v");
        cluster.Faults.InjectServerIsBusy(method: "RawGet", times: Timeout.Infinite);

        var ex = await Assert.ThrowsAsync<BackoffExhaustedException>(() => client.Raw.GetAsync("k").AsTask());
        Assert.Equal("RawGet", ex.Operation);
        Assert.NotNull(ex.RegionId);
        Assert.Contains(ex.Store!, cluster.Stores.Select(s => s.Address));
        Assert.Contains("ServerIsBusy", ex.Message);

        cluster.Faults.Clear();
        Assert.Equal("v", S(await client.Raw.GetAsync("k")));
    }

    [Fact]
    public async Task Cancellation_is_honoured_while_backing_off()
    {
        await using var cluster = await StartAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        await client.Raw.PutAsync("k", "v");
        cluster.Faults.InjectServerIsBusy(method: "RawGet", times: Timeout.Infinite);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Raw.GetAsync("k", cts.Token).AsTask());
    }

    [Fact]
    public async Task Lost_cas_response_is_reported_as_undetermined_not_retried()
    {
        await using var cluster = await StartAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500)));
        await client.Raw.PutAsync("cas", "0");
        cluster.Faults.DropResponses(method: "RawCompareAndSwap", times: 1);

        await Assert.ThrowsAsync<UndeterminedResultException>(() => client.Raw.CompareAndSwapAsync("cas", "0", "1").AsTask());
        // It was applied exactly once: a blind retry would have failed the comparison against "1".
        Assert.Equal("1", S(await client.Raw.GetAsync("cas")));
    }

    [Fact]
    public async Task Lost_put_response_times_out_and_is_retried()
    {
        await using var cluster = await StartAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500)));
        cluster.Faults.DropResponses(method: "RawPut", times: 1);
        await client.Raw.PutAsync("p", "1");
        Assert.Equal("1", S(await client.Raw.GetAsync("p")));
    }

    [Fact]
    public async Task Unreachable_pd_fails_fast_naming_the_endpoints()
    {
        var options = new TiKVClientOptions { PdEndpoints = ["127.0.0.1:1", "127.0.0.1:2"], PdTimeout = TimeSpan.FromSeconds(1) };
        var ex = await Assert.ThrowsAsync<PdException>(() => TiKVClient.ConnectAsync(options));
        Assert.Contains("127.0.0.1:1", ex.Message);
        Assert.Contains("127.0.0.1:2", ex.Message);
    }

    [Fact]
    public async Task A_dead_pd_endpoint_in_the_list_is_skipped()
    {
        await using var cluster = await StartAsync(1);
        await using var client = await TiKVClient.ConnectAsync(new TiKVClientOptions { PdEndpoints = ["127.0.0.1:1", cluster.PdAddress] });
        await client.Raw.PutAsync("a", "b");
        Assert.Equal("b", S(await client.Raw.GetAsync("a")));
    }
}
