using System.Runtime.CompilerServices;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// An immutable, sorted view of the cached regions: blocks of up to <see cref="MaxBlockLength"/> entries in start
/// key order, plus the start prefix of every block's first entry in one dense array. A lookup binary-searches that
/// array (16 bytes per block, small enough to stay in the CPU cache), then one block (3 KiB at most), and reads
/// nothing else: no region object, no key array (RegionEntry.cs says why that matters). Lookups need no lock:
/// they read whichever directory was last published. A change builds a new directory that shares every block
/// it does not touch, so an insert copies one block and the two block-level arrays instead of shifting every
/// entry after it, which with 100k regions loaded in random order would be megabytes per insert. Changed blocks
/// get arrays of their own, scattered over the heap; <see cref="Compact"/> gathers all blocks into one array again.
/// Prefixes order like their keys; only entries whose prefix equals the key's compare whole keys, so start keys
/// sharing their first 16 bytes still search in O(log n).
/// </summary>
internal sealed class RegionDirectory
{
    /// <summary>Most entries per block: 64 × 48 B = 3 KiB, within one or two 4 KiB pages.</summary>
    public const int MaxBlockLength = 64;

    public static readonly RegionDirectory Empty = new([], [], 0, 0);

    // _firsts[b] == _blocks[b].Entries[0].StartPrefix; no block is empty.
    private readonly UInt128[] _firsts;
    private readonly RegionBlock[] _blocks;

    private RegionDirectory(UInt128[] firsts, RegionBlock[] blocks, int count, int changedBlocks)
    {
        _firsts = firsts;
        _blocks = blocks;
        Count = count;
        ChangedBlocks = changedBlocks;
    }

    public int Count { get; }

    public int BlockCount => _blocks.Length;

    /// <summary>Blocks created or changed since the last <see cref="Compact"/> (an upper bound: some may be gone).</summary>
    public int ChangedBlocks { get; }

    /// <summary>The entries of one block, in start key order (see <see cref="RegionBlock.Entries"/>).</summary>
    public Span<RegionEntry> BlockAt(int block) => _blocks[block].Entries;

    /// <summary>
    /// The entry of the last region whose start key is ≤ <paramref name="key"/> (or &lt; it when not
    /// <paramref name="inclusive"/>); a null reference when there is none.
    /// </summary>
    public ref RegionEntry Floor(ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive)
    {
        if (!TryFloor(key, prefix, inclusive, out var block, out var index))
        {
            return ref Unsafe.NullRef<RegionEntry>();
        }

        return ref _blocks[block].Entries[index];
    }

    /// <summary>The entry of the region with the largest start key; a null reference when empty.</summary>
    public ref RegionEntry Last
    {
        get
        {
            if (_blocks.Length == 0)
            {
                return ref Unsafe.NullRef<RegionEntry>();
            }

            var entries = _blocks[^1].Entries;
            return ref entries[^1];
        }
    }

    /// <summary>The entry holding <paramref name="region"/> itself (not an older or newer view of its range).</summary>
    public ref RegionEntry Find(CachedRegion region)
    {
        if (TryFloor(region.StartKey, KeyPrefix.Of(region.StartKey), inclusive: true, out var block, out var index))
        {
            ref var entry = ref _blocks[block].Entries[index];
            if (ReferenceEquals(entry.Region, region))
            {
                return ref entry;
            }
        }

        return ref Unsafe.NullRef<RegionEntry>();
    }

    /// <summary>The region with the smallest start key ≥ <paramref name="key"/>, or null.</summary>
    public CachedRegion? Ceiling(ReadOnlySpan<byte> key)
    {
        if (!TryFloor(key, KeyPrefix.Of(key), inclusive: false, out var block, out var index))
        {
            return _blocks.Length == 0 ? null : _blocks[0].Entries[0].Region;
        }

        if (index + 1 < _blocks[block].Length)
        {
            return _blocks[block].Entries[index + 1].Region;
        }

        return block + 1 < _blocks.Length ? _blocks[block + 1].Entries[0].Region : null;
    }

    /// <summary>
    /// A directory with <paramref name="entry"/> added in start key order. The caller has removed every region
    /// the new one overlaps, so no entry has the same start key.
    /// </summary>
    public RegionDirectory Insert(in RegionEntry entry)
    {
        if (_blocks.Length == 0)
        {
            return new RegionDirectory([entry.StartPrefix], [RegionBlock.Of([entry])], 1, 1);
        }

        var key = entry.Region.StartKey;
        var prefix = entry.StartPrefix;
        var block = Math.Max(0, LastBlockStartingBelow(key, prefix, inclusive: false));
        var old = _blocks[block].Entries;
        var at = FirstNotBelow(old, key, prefix, inclusive: false);
        var grown = new RegionEntry[old.Length + 1];
        old[..at].CopyTo(grown);
        grown[at] = entry;
        old[at..].CopyTo(grown.AsSpan(at + 1));

        if (grown.Length <= MaxBlockLength)
        {
            return Replace(block, 1, [RegionBlock.Of(grown)]);
        }

        // A full block splits in two halves, so a run of inserts into one range does not split on every insert.
        var half = grown.Length / 2;
        return Replace(block, 1, [new RegionBlock(grown, 0, half), new RegionBlock(grown, half, grown.Length - half)]);
    }

    /// <summary>A directory without <paramref name="region"/>; this one if the region is not in it.</summary>
    public RegionDirectory Remove(CachedRegion region)
    {
        if (!TryFloor(region.StartKey, KeyPrefix.Of(region.StartKey), inclusive: true, out var block, out var index) ||
            !ReferenceEquals(_blocks[block].Entries[index].Region, region))
        {
            return this;
        }

        var old = _blocks[block].Entries;
        var shrunk = new RegionEntry[old.Length - 1];
        old[..index].CopyTo(shrunk);
        old[(index + 1)..].CopyTo(shrunk.AsSpan(index));

        if (shrunk.Length == 0)
        {
            return Replace(block, 1, []);
        }

        // Blocks thinned out by removals (expiry sweeps drop many) merge with a neighbour while the two fit in half
        // a block, so the block-level search does not grow with regions long gone.
        if (block + 1 < _blocks.Length && shrunk.Length + _blocks[block + 1].Length <= MaxBlockLength / 2)
        {
            return Replace(block, 2, [RegionBlock.Of([.. shrunk, .. _blocks[block + 1].Entries])]);
        }

        if (block > 0 && shrunk.Length + _blocks[block - 1].Length <= MaxBlockLength / 2)
        {
            return Replace(block - 1, 2, [RegionBlock.Of([.. _blocks[block - 1].Entries, .. shrunk])]);
        }

        return Replace(block, 1, [RegionBlock.Of(shrunk)]);
    }

    /// <summary>
    /// The same regions with every block in one array, in key order. Touches that land on this directory's blocks
    /// after the copy are lost; the region then expires up to one TTL early and is loaded from PD again.
    /// </summary>
    public RegionDirectory Compact()
    {
        var array = new RegionEntry[Count];
        var blocks = new RegionBlock[_blocks.Length];
        var offset = 0;
        for (var i = 0; i < _blocks.Length; i++)
        {
            var entries = _blocks[i].Entries;
            entries.CopyTo(array.AsSpan(offset));
            blocks[i] = new RegionBlock(array, offset, entries.Length);
            offset += entries.Length;
        }

        return new RegionDirectory(_firsts, blocks, Count, 0);
    }

    /// <summary>Finds the floor entry as (block, index within block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFloor(ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive, out int block, out int index)
    {
        block = LastBlockStartingBelow(key, prefix, inclusive);
        if (block < 0)
        {
            index = -1;
            return false;
        }

        // The block's first entry starts below the key (that is how the block was chosen), so the answer is in it
        // and the search within the block can skip that entry.
        var entries = _blocks[block].Entries;
        index = FirstNotBelow(entries[1..], key, prefix, inclusive);
        return true;
    }

    /// <summary>The last block whose first entry starts below the key; -1 if none does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int LastBlockStartingBelow(ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive)
    {
        var firsts = _firsts;
        int lo = 0, hi = firsts.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var first = firsts[mid];
            var below = first != prefix ? first < prefix : _blocks[mid].Entries[0].StartsBelow(key, prefix, inclusive);
            if (below)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    /// <summary>The first index in <paramref name="entries"/> whose start key is not below the key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FirstNotBelow(ReadOnlySpan<RegionEntry> entries, ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive)
    {
        int lo = 0, hi = entries.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (entries[mid].StartsBelow(key, prefix, inclusive))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A directory with blocks [block, block + removed) replaced by <paramref name="replacements"/>.</summary>
    private RegionDirectory Replace(int block, int removed, RegionBlock[] replacements)
    {
        var length = _blocks.Length - removed + replacements.Length;
        var blocks = new RegionBlock[length];
        var firsts = new UInt128[length];
        _blocks.AsSpan(0, block).CopyTo(blocks);
        _firsts.AsSpan(0, block).CopyTo(firsts);
        var count = Count;
        for (var i = 0; i < removed; i++)
        {
            count -= _blocks[block + i].Length;
        }

        for (var i = 0; i < replacements.Length; i++)
        {
            blocks[block + i] = replacements[i];
            firsts[block + i] = replacements[i].Entries[0].StartPrefix;
            count += replacements[i].Length;
        }

        _blocks.AsSpan(block + removed).CopyTo(blocks.AsSpan(block + replacements.Length));
        _firsts.AsSpan(block + removed).CopyTo(firsts.AsSpan(block + replacements.Length));
        return new RegionDirectory(firsts, blocks, count, ChangedBlocks + replacements.Length);
    }
}
