using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using TiKV.Client.Locate.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Tests.Unit;

/// <summary>
/// The region cache's directory of sorted blocks against a plain sorted model: many blocks, start keys sharing
/// more than 16 bytes across block boundaries, inserts and removals in random order, splits, merges, compaction.
/// </summary>
public class RegionDirectoryTests
{
    private static readonly Comparer<byte[]> KeyOrder = Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b));

    private static CachedRegion NewRegion(ulong id, byte[] start) =>
        new(new Region { Id = id, StartKey = ByteString.CopyFrom(start), RegionEpoch = new RegionEpoch() }, null, ttlTicks: 1000);

    /// <summary>
    /// Distinct start keys: short ones, ones ending in zero bytes, and 300 sharing their first 20 bytes, so equal
    /// prefixes span several blocks.
    /// </summary>
    private static List<byte[]> StartKeys(Random random)
    {
        var keys = new SortedSet<byte[]>(KeyOrder);
        byte[] shared = [.. "0123456789abcdefghij"u8];
        while (keys.Count < 300)
        {
            keys.Add([.. shared, (byte)random.Next(256), (byte)random.Next(256)]);
        }

        while (keys.Count < 2500)
        {
            var key = new byte[random.Next(1, 20)];
            random.NextBytes(key);
            if (random.Next(4) == 0)
            {
                key[^1] = 0;
            }

            keys.Add(key);
        }

        return [.. keys];
    }

    [Fact]
    public void Random_inserts_removals_and_compactions_match_a_sorted_model()
    {
        var random = new Random(11);
        var keys = StartKeys(random);
        var regions = keys.Select((k, i) => NewRegion((ulong)i + 1, k)).ToArray();
        var model = new SortedList<byte[], CachedRegion>(KeyOrder);
        var directory = RegionDirectory.Empty;

        for (var round = 0; round < 4; round++)
        {
            foreach (var i in Enumerable.Range(0, regions.Length).OrderBy(_ => random.Next()))
            {
                var present = model.ContainsKey(regions[i].StartKey);
                var inPlace = random.Next(2) == 0;

                // A change not made in place must leave the directory it started from as it was.
                var before = directory;
                var beforeRegions = inPlace || random.Next(20) != 0 ? null : Regions(before);
                if (!present && random.Next(3) != 0)
                {
                    directory = directory.Insert(new RegionEntry(regions[i], now: 0), inPlace);
                    model.Add(regions[i].StartKey, regions[i]);
                }
                else if (present && random.Next(2) == 0)
                {
                    directory = directory.Remove(regions[i], inPlace);
                    model.Remove(regions[i].StartKey);
                }

                if (beforeRegions is not null)
                {
                    Assert.Equal(beforeRegions, Regions(before));
                }
            }

            if (round % 2 == 1)
            {
                directory = directory.Compact();
                Assert.Equal(0, directory.ChangedBlocks);
            }

            AssertMatches(model, directory, regions, keys, random);
        }
    }

    [Fact]
    public void Compaction_copies_every_block_and_keeps_the_regions()
    {
        var keys = StartKeys(new Random(5));
        var directory = RegionDirectory.Empty;
        foreach (var (key, i) in keys.Select((k, i) => (k, i)).OrderBy(p => p.k.Length))
        {
            directory = directory.Insert(new RegionEntry(NewRegion((ulong)i + 1, key), now: 0), inPlace: true);
        }

        Assert.True(directory.ChangedBlocks > 0);
        var compacted = directory.Compact();
        Assert.Equal(0, compacted.ChangedBlocks);
        Assert.True(compacted.BlockCount > 10);
        Assert.Equal(Regions(directory), Regions(compacted));
        for (var block = 0; block < compacted.BlockCount; block++)
        {
            // Copies, not the blocks of the directory compacted (a lookup may still be reading those).
            Assert.False(Unsafe.AreSame(ref MemoryMarshal.GetReference(compacted.BlockAt(block)), ref MemoryMarshal.GetReference(directory.BlockAt(block))));
        }
    }

    [Fact]
    public void Removals_merge_thinned_blocks()
    {
        var keys = StartKeys(new Random(3));
        var regions = keys.Select((k, i) => NewRegion((ulong)i + 1, k)).ToArray();
        var directory = RegionDirectory.Empty;
        foreach (var region in regions)
        {
            directory = directory.Insert(new RegionEntry(region, now: 0), inPlace: true);
        }

        var blocksWhenFull = directory.BlockCount;
        for (var i = 0; i < regions.Length; i++)
        {
            if (i % 10 != 0)
            {
                directory = directory.Remove(regions[i], inPlace: true);
            }
        }

        Assert.Equal((regions.Length + 9) / 10, directory.Count);
        Assert.True(directory.BlockCount <= blocksWhenFull / 3, $"{directory.BlockCount} blocks left of {blocksWhenFull}");
        Assert.Equal(regions.Where((_, i) => i % 10 == 0), Regions(directory));
    }

    [Fact]
    public void Removing_a_region_not_in_the_directory_changes_nothing()
    {
        var region = NewRegion(1, [1]);
        var directory = RegionDirectory.Empty.Insert(new RegionEntry(region, now: 0), inPlace: true);

        Assert.Same(directory, directory.Remove(NewRegion(1, [1]), inPlace: false));
        Assert.Same(directory, directory.Remove(NewRegion(2, [2]), inPlace: false));
        Assert.Equal(0, directory.Remove(region, inPlace: false).Count);
        Assert.Equal(1, directory.Count);
    }

    private static List<CachedRegion> Regions(RegionDirectory directory)
    {
        var regions = new List<CachedRegion>();
        for (var block = 0; block < directory.BlockCount; block++)
        {
            foreach (ref readonly var entry in directory.BlockAt(block))
            {
                regions.Add(entry.Region);
            }
        }

        return regions;
    }

    private static void AssertMatches(SortedList<byte[], CachedRegion> model, RegionDirectory directory, CachedRegion[] all, List<byte[]> keys, Random random)
    {
        Assert.Equal(model.Count, directory.Count);
        Assert.Equal(model.Values, Regions(directory));
        for (var block = 0; block < directory.BlockCount; block++)
        {
            var length = directory.BlockAt(block).Length;
            Assert.InRange(length, 1, RegionDirectory.MaxBlockLength);
        }

        foreach (var region in all)
        {
            var found = !Unsafe.IsNullRef(ref directory.Find(region));
            Assert.Equal(model.TryGetValue(region.StartKey, out var current) && ReferenceEquals(current, region), found);
        }

        var probes = keys.SelectMany(k => new[] { k, [.. k, 0], k[..^1], [.. k[..^1], (byte)(k[^1] ^ (1 << random.Next(8)))] }).Append([]);
        foreach (var probe in probes)
        {
            var prefix = KeyPrefix.Of(probe);
            Assert.Same(ExpectedFloor(model, probe, inclusive: true), RegionOf(ref directory.Floor(probe, prefix, inclusive: true)));
            Assert.Same(ExpectedFloor(model, probe, inclusive: false), RegionOf(ref directory.Floor(probe, prefix, inclusive: false)));
            Assert.Same(model.Values.FirstOrDefault(r => KeyOrder.Compare(r.StartKey, probe) >= 0), directory.Ceiling(probe));
        }
    }

    private static CachedRegion? RegionOf(ref RegionEntry entry) => Unsafe.IsNullRef(ref entry) ? null : entry.Region;

    private static CachedRegion? ExpectedFloor(SortedList<byte[], CachedRegion> model, byte[] key, bool inclusive) =>
        model.Values.LastOrDefault(r => KeyOrder.Compare(r.StartKey, key) is var c && (c < 0 || (inclusive && c == 0)));
}
