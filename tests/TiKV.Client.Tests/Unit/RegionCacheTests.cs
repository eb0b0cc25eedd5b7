using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Client.Tests.Fakes;
using TiKV.Proto.Metapb;
using TiKV.Tests.Shared;

namespace TiKV.Client.Tests.Unit;

public class RegionCacheTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static RegionCache NewCache(FakePdClient pd, TimeProvider? time = null, TimeSpan? ttl = null) =>
        new(pd, time ?? TimeProvider.System, ttl ?? TimeSpan.FromMinutes(10), TimeSpan.Zero, NullLogger.Instance);

    private static Backoffer Bo() => new("test", TimeSpan.FromSeconds(5), TimeProvider.System);

    [Fact]
    public void Lookup_respects_inclusive_start_exclusive_end_and_open_last_region()
    {
        using var cache = NewCache(new FakePdClient());
        cache.Insert(FakePdClient.MakeRegion(1, "", "b"), null);
        cache.Insert(FakePdClient.MakeRegion(2, "b", "d"), null);
        cache.Insert(FakePdClient.MakeRegion(3, "d", ""), null);

        Assert.Equal(1UL, cache.TryLocateKey(K("a"))!.Id);
        Assert.Equal(1UL, cache.TryLocateKey([0])!.Id);
        Assert.Equal(2UL, cache.TryLocateKey(K("b"))!.Id);
        Assert.Equal(2UL, cache.TryLocateKey(K("c\xff"))!.Id);
        Assert.Equal(3UL, cache.TryLocateKey(K("d"))!.Id);
        Assert.Equal(3UL, cache.TryLocateKey(K("zzzz"))!.Id);
    }

    [Fact]
    public void End_key_lookup_finds_the_region_holding_keys_just_below()
    {
        using var cache = NewCache(new FakePdClient());
        cache.Insert(FakePdClient.MakeRegion(1, "", "b"), null);
        cache.Insert(FakePdClient.MakeRegion(2, "b", "d"), null);
        cache.Insert(FakePdClient.MakeRegion(3, "d", ""), null);

        Assert.Equal(1UL, cache.TryLocateEndKey(K("b"))!.Id);
        Assert.Equal(2UL, cache.TryLocateEndKey(K("c"))!.Id);
        Assert.Equal(2UL, cache.TryLocateEndKey(K("d"))!.Id);
        Assert.Equal(3UL, cache.TryLocateEndKey(K("e"))!.Id);
        Assert.Equal(3UL, cache.TryLocateEndKey([])!.Id);
    }

    [Fact]
    public void Gaps_are_misses()
    {
        using var cache = NewCache(new FakePdClient());
        cache.Insert(FakePdClient.MakeRegion(1, "a", "b"), null);
        cache.Insert(FakePdClient.MakeRegion(3, "d", "e"), null);
        Assert.Null(cache.TryLocateKey(K("c")));
        Assert.Null(cache.TryLocateKey(K("e")));
        Assert.Null(cache.TryLocateKey(K("0")));
    }

    [Fact]
    public void Insert_evicts_every_overlapping_region()
    {
        using var cache = NewCache(new FakePdClient());
        cache.Insert(FakePdClient.MakeRegion(1, "a", "c"), null);
        cache.Insert(FakePdClient.MakeRegion(2, "c", "e"), null);
        cache.Insert(FakePdClient.MakeRegion(3, "e", "g"), null);
        cache.Insert(FakePdClient.MakeRegion(4, "g", ""), null);

        // A merge of 1..3 arrives.
        cache.Insert(FakePdClient.MakeRegion(9, "b", "f", version: 5), null);
        Assert.Equal(new ulong[] { 9, 4 }, cache.Snapshot().Select(r => r.Id).ToArray());
        Assert.Null(cache.TryGetById(1));
        Assert.Equal(9UL, cache.TryLocateKey(K("e"))!.Id);

        // Same id, new range (split shrank it): the old entry goes.
        cache.Insert(FakePdClient.MakeRegion(9, "b", "c", version: 6), null);
        Assert.Null(cache.TryLocateKey(K("d")));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Entries_expire_after_idle_ttl_and_hits_extend_it()
    {
        var time = new ManualTimeProvider();
        using var cache = NewCache(new FakePdClient(), time, TimeSpan.FromMinutes(10));
        cache.Insert(FakePdClient.MakeRegion(1, "", ""), null);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(cache.TryLocateKey(K("x")));
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(cache.TryLocateKey(K("x")));
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(cache.TryLocateKey(K("x")));
    }

    [Fact]
    public async Task Concurrent_misses_for_one_key_share_one_pd_lookup()
    {
        var pd = new FakePdClient();
        pd.SetRegions((FakePdClient.MakeRegion(1, "", ""), 1));
        pd.LookupGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = NewCache(pd);

        var lookups = Enumerable.Range(0, 32).Select(_ => cache.LocateKeyAsync(K("k"), Bo(), CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(50);
        pd.LookupGate.SetResult();
        var regions = await Task.WhenAll(lookups);

        Assert.All(regions, r => Assert.Equal(1UL, r.Id));
        Assert.Equal(1, pd.GetRegionCalls);
    }

    [Fact]
    public async Task Miss_loads_from_pd_and_then_hits()
    {
        var pd = new FakePdClient();
        pd.SetRegions((FakePdClient.MakeRegion(1, "", "m"), 1), (FakePdClient.MakeRegion(2, "m", ""), 1));
        using var cache = NewCache(pd);
        Assert.Equal(2UL, (await cache.LocateKeyAsync(K("x"), Bo(), CancellationToken.None)).Id);
        Assert.Equal(2UL, (await cache.LocateKeyAsync(K("y"), Bo(), CancellationToken.None)).Id);
        Assert.Equal(1, pd.GetRegionCalls);
        Assert.Equal(1UL, (await cache.LocateEndKeyAsync(K("m"), Bo(), CancellationToken.None)).Id);
        Assert.Equal(2UL, (await cache.LocateEndKeyAsync(K("n"), Bo(), CancellationToken.None)).Id);
    }

    [Fact]
    public void EpochNotMatch_with_newer_regions_caches_them()
    {
        using var cache = NewCache(new FakePdClient());
        var old = cache.Insert(FakePdClient.MakeRegion(1, "a", "z", 1, 1, 2, 3), new Peer { StoreId = 2 });
        var left = FakePdClient.MakeRegion(1, "a", "m", 2, 1, 2, 3);
        var right = FakePdClient.MakeRegion(5, "m", "z", 2, 1, 2, 3);

        Assert.True(cache.OnEpochNotMatch(old, [left, right]));
        Assert.False(old.IsValid);
        Assert.Equal(1UL, cache.TryLocateKey(K("b"))!.Id);
        Assert.Equal(5UL, cache.TryLocateKey(K("q"))!.Id);
        Assert.Equal(2UL, cache.TryLocateKey(K("q"))!.Leader!.StoreId);
    }

    [Fact]
    public void EpochNotMatch_with_only_older_regions_drops_the_entry()
    {
        using var cache = NewCache(new FakePdClient());
        var cached = cache.Insert(FakePdClient.MakeRegion(1, "a", "z", version: 5), null);
        Assert.False(cache.OnEpochNotMatch(cached, [FakePdClient.MakeRegion(1, "a", "z", version: 4)]));
        Assert.Null(cache.TryLocateKey(K("b")));
    }

    [Fact]
    public void NotLeader_hint_switches_leader_or_drops_region_when_peer_unknown()
    {
        using var cache = NewCache(new FakePdClient());
        var region = cache.Insert(FakePdClient.MakeRegion(1, "", "", 1, 1, 2, 3), new Peer { StoreId = 1 });
        Assert.True(cache.UpdateLeader(region, new Peer { StoreId = 3 }));
        Assert.Equal(3UL, cache.TryLocateKey(K("a"))!.Leader!.StoreId);

        Assert.False(cache.UpdateLeader(region, new Peer { StoreId = 9 }));
        Assert.Null(cache.TryLocateKey(K("a")));
    }

    [Fact]
    public void Send_failures_probe_each_peer_once_then_ask_for_reload()
    {
        using var cache = NewCache(new FakePdClient());
        var region = cache.Insert(FakePdClient.MakeRegion(1, "", "", 1, 1, 2, 3), new Peer { StoreId = 1 });
        Assert.True(region.OnSendFailure(region.LeaderIndex));
        Assert.Equal(2UL, region.Leader!.StoreId);
        Assert.True(region.OnSendFailure(region.LeaderIndex));
        Assert.Equal(3UL, region.Leader!.StoreId);
        Assert.False(region.OnSendFailure(region.LeaderIndex));
    }

    [Fact]
    public void Lookups_stay_correct_with_100k_regions()
    {
        using var cache = NewCache(new FakePdClient());
        const int count = 100_000;
        static string Boundary(int i) => i == 0 ? string.Empty : $"k{i:D6}";
        for (var i = count - 1; i >= 0; i--)
        {
            cache.Insert(FakePdClient.MakeRegion((ulong)i + 1, Boundary(i), i == count - 1 ? string.Empty : Boundary(i + 1)), null);
        }

        Assert.Equal(count, cache.Count);
        var random = new Random(5);
        for (var n = 0; n < 2000; n++)
        {
            var i = random.Next(1, count);
            Assert.Equal((ulong)i + 1, cache.TryLocateKey(K($"k{i:D6}"))!.Id);
            Assert.Equal((ulong)i + 1, cache.TryLocateKey(K($"k{i:D6}5"))!.Id);
            Assert.Equal((ulong)i, cache.TryLocateEndKey(K($"k{i:D6}"))!.Id);
        }
    }
}
