using System.Collections.Concurrent;
using System.Text;
using TiKV.DevCluster;

namespace TiKV.Client.Tests.Integration;

/// <summary>PD stopped in the middle of a workload and restarted: what the client can do without PD, and recovery.</summary>
public class PdRestartTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Work_on_cached_regions_continues_while_pd_is_down_and_the_rest_recovers_after_restart(bool batched)
    {
        await using var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3 });
        foreach (var split in new[] { "p2", "p4", "p6", "p8" })
        {
            await cluster.SplitRegionAsync(K(split));
        }

        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.EnableBatchCommands = batched));
        var raw = client.Raw;
        var seeded = Enumerable.Range(0, 100).Select(i => new KvPair($"p{i % 10}-seed-{i:D3}", $"s{i}")).ToList();
        await raw.BatchPutAsync(seeded);

        // Reading every key caches every region and its leader's store.
        Assert.Equal(seeded.OrderBy(p => p.KeyAsString(), StringComparer.Ordinal), await raw.BatchGetAsync(seeded.Select(p => p.Key)));

        var timestamps = new ConcurrentQueue<ulong>();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var errors = new ConcurrentQueue<Exception>();
        var operations = 0;
        using var stop = new CancellationTokenSource();
        var tso = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    timestamps.Enqueue(await client.GetTimestampAsync());
                    await Task.Delay(5);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    return;
                }
            }
        });
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = $"p{w % 10}-w{w}-{i % 25:D2}";
                var value = $"{w}:{i++}";
                try
                {
                    await raw.PutAsync(key, value);
                    acknowledged[key] = value;
                    Assert.Equal(value, S(await raw.GetAsync(key)));
                    Interlocked.Increment(ref operations);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    return;
                }
            }
        })).ToArray();

        await WaitUntilAsync(() => timestamps.Count >= 5 && Volatile.Read(ref operations) >= 50, "the workload under way");
        await cluster.StopPdAsync();
        var issuedBefore = timestamps.Count;

        // Without PD: cached regions keep serving reads and writes.
        var atStop = Volatile.Read(ref operations);
        await WaitUntilAsync(() => Volatile.Read(ref operations) >= atStop + 200, "raw operations while PD is down");
        Assert.Equal("s42", S(await raw.GetAsync("p2-seed-042")));

        // A region the store no longer knows must be located through PD again: that request waits for PD, as does TSO.
        var fault = cluster.Faults.InjectRegionError(null, "RawBatchGet", DevRegionErrorKind.RegionNotFound);
        var relocating = raw.BatchGetAsync(seeded.Take(30).Select(p => p.Key));
        var timestamp = client.GetTimestampAsync().AsTask();
        await WaitUntilAsync(() => fault.Hits == 1, "the injected RegionNotFound");
        Assert.False(timestamp.IsCompleted, "a timestamp was handed out while PD was down");
        Assert.False(relocating.IsCompleted, "a region was located while PD was down");

        await cluster.RestartPdAsync();
        var afterRestart = await timestamp;
        Assert.Equal(seeded.Take(30).OrderBy(p => p.KeyAsString(), StringComparer.Ordinal), await relocating);
        await WaitUntilAsync(() => timestamps.Count >= issuedBefore + 20, "timestamps after PD restarted");
        await cluster.SplitRegionAsync(K("p5"));

        await stop.CancelAsync();
        await Task.WhenAll(workers.Append(tso));
        Assert.Empty(errors);

        // TSO never went backwards, across the restart included.
        var sequence = timestamps.ToArray();
        for (var i = 1; i < sequence.Length; i++)
        {
            Assert.True(sequence[i] > sequence[i - 1], $"timestamp {i} ({sequence[i]}) is not above the previous one ({sequence[i - 1]})");
        }

        Assert.True(afterRestart > sequence[issuedBefore - 1]);
        var stored = (await raw.BatchGetAsync(acknowledged.Keys)).ToDictionary(p => p.KeyAsString(), p => p.ValueAsString());
        Assert.Equal(acknowledged.OrderBy(p => p.Key), stored.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task A_client_connecting_while_pd_is_down_fails_fast_and_connects_after_restart()
    {
        await using var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3 });
        await cluster.StopPdAsync();
        var options = ClusterFixture.Options(cluster, o => o.PdTimeout = TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<PdException>(() => TiKVClient.ConnectAsync(options));
        Assert.Contains(cluster.PdAddress, error.Message, StringComparison.Ordinal);

        await cluster.RestartPdAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        Assert.Equal(cluster.ClusterId, client.ClusterId);
        await client.Raw.PutAsync("after", "restart");
        Assert.Equal("restart", S(await client.Raw.GetAsync("after")));
    }

    [Fact]
    public async Task Failed_and_slow_pd_calls_are_retried_within_the_budget()
    {
        await using var cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3 });
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        var before = await client.GetTimestampAsync();

        var tsoFault = cluster.Faults.InjectPdError("Tso", TiKV.Grpc.StatusCode.Unavailable, times: 2);
        var regionFault = cluster.Faults.InjectPdError("GetRegion", TiKV.Grpc.StatusCode.Unavailable, times: 2);
        Assert.True(await client.GetTimestampAsync() > before);
        await client.Raw.PutAsync("pd-fault", "v");
        Assert.Equal("v", S(await client.Raw.GetAsync("pd-fault")));
        Assert.Equal(2, tsoFault.Hits);
        Assert.Equal(2, regionFault.Hits);
    }

    /// <summary>Waits (bounded) for state that other tasks change.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Environment.TickCount64 + 20_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
