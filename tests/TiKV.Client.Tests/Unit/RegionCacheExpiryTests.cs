using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Tests.Fakes;
using TiKV.Tests.Shared;

namespace TiKV.Client.Tests.Unit;

/// <summary>The region cache's background round: idle regions leave the cache, hit ones stay, and it stops on dispose.</summary>
public class RegionCacheExpiryTests
{
    private static byte[] K(string s) => Encoding.ASCII.GetBytes(s);

    private static string Boundary(int i) => "k" + i.ToString("D5", CultureInfo.InvariantCulture);

    private static RegionCache NewCache(TimeProvider time) =>
        new(new FakePdClient(), time, TimeSpan.FromMinutes(10), TimeSpan.Zero, NullLogger.Instance);

    [Fact]
    public void Rounds_drop_idle_regions_and_keep_the_ones_hit_within_the_ttl()
    {
        const int Regions = 3000;
        var time = new ManualTimeProvider();
        using var cache = NewCache(time);
        InsertContiguous(cache, Regions);

        time.Advance(TimeSpan.FromMinutes(8));
        for (var i = 0; i < Regions; i += 2)
        {
            Assert.NotNull(cache.TryLocateKey(K(Boundary(i) + "x")));
        }

        // Past the TTL of the regions not hit at minute 8. A round checks 1024 regions, so a few are needed.
        time.Advance(TimeSpan.FromMinutes(3));
        for (var round = 0; round < 5; round++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(Regions / 2, cache.Count);
        for (var i = 0; i < Regions; i++)
        {
            var located = cache.TryLocateKey(K(Boundary(i) + "x"));
            Assert.Equal(i % 2 == 0 ? (ulong)i + 1 : null, located?.Id);
        }
    }

    [Fact]
    public void Expired_regions_a_round_has_not_reached_yet_are_not_returned()
    {
        const int Regions = 2500;
        var time = new ManualTimeProvider();
        using var cache = NewCache(time);
        InsertContiguous(cache, Regions);

        // One round runs (it advances the cache's clock) and removes the first ~1024 regions; the rest stay cached.
        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(2));
        Assert.InRange(cache.Count, 1, Regions - 1000);

        for (var i = 0; i < Regions; i++)
        {
            Assert.Null(cache.TryLocateKey(K(Boundary(i) + "x")));
            Assert.Null(cache.TryGetById((ulong)i + 1));
        }

        Assert.Null(cache.TryLocateEndKey([]));
    }

    [Fact]
    public void Dispose_stops_the_round()
    {
        var time = new ManualTimeProvider();
        var cache = NewCache(time);
        Assert.Equal(1, time.ActiveTimers);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, time.ActiveTimers);

        cache.Dispose();
        Assert.Equal(0, time.ActiveTimers);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Lookups_racing_with_splits_and_merges_only_return_regions_holding_the_key()
    {
        const int Coarse = 50;
        using var cache = NewCache(TimeProvider.System);
        InsertLayout(cache, Coarse, split: false, idBase: 0);

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        // Dedicated threads: on two cores the thread pool would start the third loop only after the test is over.
        var writer = Task.Factory.StartNew(() =>
        {
            // Alternate between 50 regions and 500 (each split in ten), with fresh ids each time, as splits and merges do.
            var generation = 0UL;
            while (!stop.IsCancellationRequested)
            {
                generation++;
                InsertLayout(cache, Coarse, split: generation % 2 == 1, idBase: generation * 1000);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var readers = Enumerable.Range(0, 2).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var hits = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = K("k" + random.Next(Coarse * 10).ToString("D5", CultureInfo.InvariantCulture) + "x");
                // A key can be uncovered for a moment (a split's first piece evicts the whole region it came from,
                // as in client-go), but whatever is found must hold the key.
                var region = cache.TryLocateKey(key);
                if (region is not null)
                {
                    Assert.True(region.Contains(key), $"{region} returned for {Encoding.ASCII.GetString(key)}");
                    hits++;
                }
            }

            return hits;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await writer;
        var hits = await Task.WhenAll(readers);
        Assert.All(hits, h => Assert.True(h > 0));
    }

    /// <summary>Regions 1..count tiling the key space, split at k00001, k00002, ...</summary>
    private static void InsertContiguous(RegionCache cache, int count)
    {
        for (var i = 0; i < count; i++)
        {
            cache.Insert(FakePdClient.MakeRegion((ulong)i + 1, i == 0 ? "" : Boundary(i), i == count - 1 ? "" : Boundary(i + 1)), null);
        }
    }

    /// <summary>Regions over k00000..k{coarse*10}: coarse ones of ten sub-ranges each, or the sub-ranges themselves.</summary>
    private static void InsertLayout(RegionCache cache, int coarse, bool split, ulong idBase)
    {
        var step = split ? 1 : 10;
        var count = coarse * 10 / step;
        for (var i = 0; i < count; i++)
        {
            var start = i == 0 ? "" : Boundary(i * step);
            var end = i == count - 1 ? "" : Boundary((i + 1) * step);
            cache.Insert(FakePdClient.MakeRegion(idBase + (ulong)i + 1, start, end), null);
        }
    }
}
