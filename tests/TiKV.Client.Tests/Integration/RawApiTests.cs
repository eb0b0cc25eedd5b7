using System.Text;

namespace TiKV.Client.Tests.Integration;

public class RawApiTests : IClassFixture<ClusterFixture>
{
    private readonly ClusterFixture _fixture;

    public RawApiTests(ClusterFixture fixture) => _fixture = fixture;

    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Put_get_delete(bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var p = $"pgd-{batched}-";
        Assert.Null(await raw.GetAsync(p + "a"));
        await raw.PutAsync(p + "a", "1");
        Assert.Equal("1", S(await raw.GetAsync(p + "a")));
        await raw.PutAsync(p + "a", "2");
        Assert.Equal("2", S(await raw.GetAsync(p + "a")));
        await raw.DeleteAsync(p + "a");
        Assert.Null(await raw.GetAsync(p + "a"));
        await raw.DeleteAsync(p + "never-written");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Batch_put_get_delete(bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var p = $"batch-{batched}-";
        var pairs = Enumerable.Range(0, 1500).Select(i => new KvPair($"{p}{i:D5}", $"v{i}")).ToList();
        await raw.BatchPutAsync(pairs);

        var keys = Enumerable.Range(0, 1600).Select(i => $"{p}{i:D5}").ToList();
        var got = await raw.BatchGetAsync(keys);
        Assert.Equal(1500, got.Count);
        Assert.Equal(pairs, got);

        await raw.BatchDeleteAsync(keys.Take(1000));
        var left = await raw.BatchGetAsync(keys);
        Assert.Equal(500, left.Count);
        Assert.Equal($"{p}01000", left[0].KeyAsString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Scan_reverse_scan_batch_scan_and_delete_range(bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var p = $"scan-{batched}-";
        await raw.BatchPutAsync(Enumerable.Range(0, 100).Select(i => new KvPair($"{p}{i:D3}", $"v{i}")));

        var all = await raw.ScanAsync(p, p + "~").ToListAsync();
        Assert.Equal(100, all.Count);
        Assert.Equal($"{p}000", all[0].KeyAsString());

        var limited = await raw.ScanAsync($"{p}010", $"{p}050", limit: 5, keyOnly: true).ToListAsync();
        Assert.Equal(Enumerable.Range(10, 5).Select(i => $"{p}{i:D3}"), limited.Select(x => x.KeyAsString()));
        Assert.All(limited, x => Assert.Empty(x.Value));

        var reversed = await raw.ReverseScanAsync($"{p}050", $"{p}045").ToListAsync();
        Assert.Equal(Enumerable.Range(45, 5).Reverse().Select(i => $"{p}{i:D3}"), reversed.Select(x => x.KeyAsString()));

        var batches = await raw.BatchScanAsync([new KeyRange(K($"{p}090"), K($"{p}095")), new KeyRange(K($"{p}000"), K($"{p}100"))], eachLimit: 3);
        Assert.Equal(new[] { 90, 91, 92, 0, 1, 2 }.Select(i => $"{p}{i:D3}"), batches.Select(x => x.KeyAsString()));

        await raw.DeleteRangeAsync($"{p}020", $"{p}080");
        Assert.Equal(40, await raw.ScanAsync(p, p + "~").CountAsync());
        Assert.Empty(await raw.ScanAsync($"{p}020", $"{p}080").ToListAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Compare_and_swap(bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var key = $"cas-{batched}";
        var (swapped, previous) = await raw.CompareAndSwapAsync(key, null, "1");
        Assert.True(swapped);
        Assert.Null(previous);

        (swapped, previous) = await raw.CompareAndSwapAsync(key, null, "x");
        Assert.False(swapped);
        Assert.Equal("1", S(previous));

        (swapped, previous) = await raw.CompareAndSwapAsync(key, "1", "2");
        Assert.True(swapped);
        Assert.Equal("1", S(previous));
        Assert.Equal("2", S(await raw.GetAsync(key)));
    }

    [Fact]
    public async Task Concurrent_cas_increments_lose_no_update()
    {
        var raw = _fixture.Batched.Raw;
        const string key = "cas-counter";
        await raw.PutAsync(key, "0");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 10; i++)
            {
                while (true)
                {
                    var current = S(await raw.GetAsync(key));
                    var (swapped, _) = await raw.CompareAndSwapAsync(key, current, (int.Parse(current) + 1).ToString());
                    if (swapped)
                    {
                        break;
                    }
                }
            }
        }));
        Assert.Equal("80", S(await raw.GetAsync(key)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ttl_is_reported_and_keys_without_ttl_report_zero(bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var p = $"ttl-{batched}-";
        await raw.PutAsync(p + "a", "v", TimeSpan.FromSeconds(100));
        await raw.PutAsync(p + "b", "v");
        await raw.BatchPutAsync([new KvPair(p + "c", "v")], TimeSpan.FromSeconds(50));

        var ttl = await raw.GetKeyTtlAsync(p + "a");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value.TotalSeconds, 1, 100);
        Assert.Equal(TimeSpan.Zero, await raw.GetKeyTtlAsync(p + "b"));
        Assert.InRange((await raw.GetKeyTtlAsync(p + "c"))!.Value.TotalSeconds, 1, 50);
        Assert.Null(await raw.GetKeyTtlAsync(p + "missing"));
    }

    [Fact]
    public async Task Column_families_are_separate_key_spaces()
    {
        var raw = _fixture.Batched.Raw;
        var write = raw.WithColumnFamily("write");
        await raw.PutAsync("cf-key", "in-default");
        await write.PutAsync("cf-key", "in-write");
        Assert.Equal("in-default", S(await raw.GetAsync("cf-key")));
        Assert.Equal("in-write", S(await write.GetAsync("cf-key")));
        Assert.Equal("write", write.ColumnFamily);
    }

    [Fact]
    public async Task Timestamps_are_unique_and_increase_for_each_caller()
    {
        var client = _fixture.Batched;
        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var mine = new List<ulong>();
            for (var i = 0; i < 200; i++)
            {
                mine.Add(await client.GetTimestampAsync());
            }

            Assert.Equal(mine.Order(), mine);
            return mine;
        }));
        var flat = all.SelectMany(x => x).ToList();
        Assert.Equal(flat.Count, flat.Distinct().Count());
        Assert.NotEqual(0UL, client.ClusterId);
        Assert.Equal(_fixture.Cluster.ClusterId, client.ClusterId);
    }

    [Fact]
    public async Task Fault_injected_server_is_busy_backs_off_then_succeeds()
    {
        var raw = _fixture.Batched.Raw;
        await raw.PutAsync("busy-key", "1");
        _fixture.Cluster.Faults.InjectServerIsBusy(method: "RawGet", times: 1);
        try
        {
            Assert.Equal("1", S(await raw.GetAsync("busy-key")));
        }
        finally
        {
            _fixture.Cluster.Faults.Clear();
        }
    }
}
