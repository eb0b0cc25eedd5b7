using System.Collections.Concurrent;
using System.Text;
using TiKV.DevCluster;

namespace TiKV.Client.Tests.Integration;

/// <summary>Stores leaving and joining while the client works: peers move with conf changes, a removed store becomes Tombstone.</summary>
public class StoreMembershipTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_workload_runs_on_while_a_store_is_removed_and_another_joins(bool batched)
    {
        await using var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 4 });
        for (var i = 1; i < 16; i++)
        {
            await cluster.SplitRegionAsync(K($"m{i:D2}"));
        }

        await cluster.BalanceAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.EnableBatchCommands = batched));
        var raw = client.Raw;
        var acknowledged = new ConcurrentDictionary<string, string>();
        var errors = new ConcurrentQueue<Exception>();
        var operations = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = $"m{(w + i) % 16:D2}-w{w:D2}-{i % 20:D2}";
                var value = $"{w}:{i++}";
                try
                {
                    await raw.PutAsync(key, value);
                    acknowledged[key] = value;
                    Assert.Equal(value, Encoding.UTF8.GetString((await raw.GetAsync(key))!));
                    if (i % 10 == 0)
                    {
                        await raw.ScanAsync($"m{w % 16:D2}", $"m{w % 16 + 1:D2}", limit: 50).CountAsync();
                    }

                    Interlocked.Increment(ref operations);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    return;
                }
            }
        })).ToArray();

        await WaitForOperationsAsync(() => operations, 300);

        // The store leading the most regions leaves: its leaders move off, every peer is replaced by a new one.
        var victim = cluster.GetRegions().GroupBy(r => r.LeaderStoreId).OrderByDescending(g => g.Count()).First().Key;
        var removal = cluster.RemoveStoreAsync(victim);
        Assert.Equal(DevStoreState.Offline, cluster.Stores.Single(s => s.Id == victim).State);
        await removal;
        Assert.Equal(DevStoreState.Tombstone, cluster.Stores.Single(s => s.Id == victim).State);
        Assert.All(cluster.GetRegions(), r => Assert.DoesNotContain(victim, r.PeerStoreIds));
        await WaitForOperationsAsync(() => operations, Volatile.Read(ref operations) + 300);

        // A new store joins and PD moves a share of the peers and leaders onto it.
        var joined = await cluster.AddStoreAsync();
        await cluster.BalanceAsync();
        Assert.Contains(cluster.GetRegions(), r => r.LeaderStoreId == joined.Id);
        await WaitForOperationsAsync(() => operations, Volatile.Read(ref operations) + 300);

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.Empty(errors);
        var stored = (await raw.BatchGetAsync(acknowledged.Keys)).ToDictionary(p => p.KeyAsString(), p => p.ValueAsString());
        Assert.Equal(acknowledged.OrderBy(p => p.Key), stored.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task A_client_whose_cached_leader_store_was_removed_finds_the_new_peers()
    {
        await using var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 4, BalanceRegions = false });
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        await client.Raw.PutAsync("cached", "before");
        var leader = cluster.GetRegions().Single().LeaderStoreId;

        // The client still routes to the removed store; it is refused, asks PD, learns the store is Tombstone and
        // goes to the region's new leader.
        await cluster.RemoveStoreAsync(leader);
        Assert.Equal("before", Encoding.UTF8.GetString((await client.Raw.GetAsync("cached"))!));
        await client.Raw.PutAsync("cached", "after");
        Assert.Equal("after", Encoding.UTF8.GetString((await client.Raw.GetAsync("cached"))!));
    }

    /// <summary>Waits (bounded) until the workload has made <paramref name="target"/> operations.</summary>
    private static async Task WaitForOperationsAsync(Func<int> operations, int target)
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (operations() < target)
        {
            Assert.True(Environment.TickCount64 < deadline, $"The workload stalled at {operations()} operations (waiting for {target}).");
            await Task.Delay(10);
        }
    }
}
