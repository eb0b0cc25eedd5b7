using System.Runtime.CompilerServices;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// A sorted view of the cached regions: blocks of up to <see cref="MaxBlockLength"/> entries in start key order,
/// plus the start prefix of every block's first entry in one dense array. A lookup binary-searches that array
/// (16 bytes per block, small enough to stay in the CPU cache), then one block (3 KiB at most), and reads nothing
/// else: no region object, no key array (RegionEntry.cs says why that matters). Lookups need no lock.
/// <para>
/// Blocks are never modified once created (apart from <see cref="RegionEntry.Touch"/>); a change builds a new block.
/// When the change keeps every block's first entry and the number of blocks, the new block replaces the old one in
/// its slot, a single reference write, so a lookup sees either block, each a consistent state. Otherwise (a block
/// splits, merges or empties, or a first entry changes) the change builds a new directory that shares every
/// untouched block, for the cache to publish. Changes that must become visible together (a region replaced by
/// the regions of its split) pass <c>inPlace: false</c> and publish the result once.
/// </para>
/// <para>
/// Blocks created by changes end up scattered over the heap; <see cref="Compact"/> allocates all of them again
/// one after the other, so lookups for random keys land in one contiguous stretch of memory. Prefixes order like
/// their keys; only entries whose prefix equals the key's compare whole keys, so start keys sharing their first
/// 16 bytes still search in O(log n).
/// </para>
/// </summary>
internal sealed class RegionDirectory
{
    /// <summary>Most entries per block: 64 × 48 B = 3 KiB, within one or two 4 KiB pages.</summary>
    public const int MaxBlockLength = 64;

    // _firsts[b] == _blocks[b][0].StartPrefix; no block is empty. Slots of _blocks are replaced in place.
    private readonly UInt128[] _firsts;
    private readonly RegionEntry[][] _blocks;
    private int _count;
    private int _changedBlocks;

    private RegionDirectory(UInt128[] firsts, RegionEntry[][] blocks, int count, int changedBlocks)
    {
        _firsts = firsts;
        _blocks = blocks;
        _count = count;
        _changedBlocks = changedBlocks;
    }

    public static RegionDirectory Empty => new([], [], 0, 0);

    public int Count => Volatile.Read(ref _count);

    public int BlockCount => _blocks.Length;

    /// <summary>Blocks created or replaced since the last <see cref="Compact"/> (an upper bound: some may be gone).</summary>
    public int ChangedBlocks => Volatile.Read(ref _changedBlocks);

    /// <summary>The entries of one block, in start key order; the only write allowed is <see cref="RegionEntry.Touch"/>.</summary>
    public Span<RegionEntry> BlockAt(int block) => Volatile.Read(ref _blocks[block]);

    /// <summary>
    /// The entry of the last region whose start key is ≤ <paramref name="key"/> (or &lt; it when not
    /// <paramref name="inclusive"/>); a null reference when there is none.
    /// </summary>
    public ref RegionEntry Floor(ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive)
    {
        if (!TryFloor(key, prefix, inclusive, out _, out var entries, out var index))
        {
            return ref Unsafe.NullRef<RegionEntry>();
        }

        return ref entries[index];
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

            var entries = Volatile.Read(ref _blocks[^1]);
            return ref entries[^1];
        }
    }

    /// <summary>The entry holding <paramref name="region"/> itself (not an older or newer view of its range).</summary>
    public ref RegionEntry Find(CachedRegion region)
    {
        if (TryFloor(region.StartKey, KeyPrefix.Of(region.StartKey), inclusive: true, out _, out var entries, out var index) &&
            ReferenceEquals(entries[index].Region, region))
        {
            return ref entries[index];
        }

        return ref Unsafe.NullRef<RegionEntry>();
    }

    /// <summary>The region with the smallest start key ≥ <paramref name="key"/>, or null.</summary>
    public CachedRegion? Ceiling(ReadOnlySpan<byte> key)
    {
        if (!TryFloor(key, KeyPrefix.Of(key), inclusive: false, out var block, out var entries, out var index))
        {
            return _blocks.Length == 0 ? null : BlockAt(0)[0].Region;
        }

        if (index + 1 < entries.Length)
        {
            return entries[index + 1].Region;
        }

        return block + 1 < _blocks.Length ? BlockAt(block + 1)[0].Region : null;
    }

    /// <summary>
    /// This directory or a new one with <paramref name="entry"/> added in start key order. The caller has removed
    /// every region the new one overlaps, so no entry has the same start key. With <paramref name="inPlace"/> the
    /// change may be made to this directory (see the type's remarks); otherwise this directory is left as it was.
    /// </summary>
    public RegionDirectory Insert(in RegionEntry entry, bool inPlace)
    {
        if (_blocks.Length == 0)
        {
            return new RegionDirectory([entry.StartPrefix], [[entry]], 1, 1);
        }

        var key = entry.Region.StartKey;
        var prefix = entry.StartPrefix;
        var block = Math.Max(0, LastBlockStartingBelow(key, prefix, inclusive: false));
        var old = BlockAt(block);
        var at = FirstNotBelow(old, key, prefix, inclusive: false);
        var grown = new RegionEntry[old.Length + 1];
        old[..at].CopyTo(grown);
        grown[at] = entry;
        old[at..].CopyTo(grown.AsSpan(at + 1));

        if (grown.Length <= MaxBlockLength)
        {
            return inPlace && at > 0 ? ReplaceInPlace(block, grown, +1) : Replace(block, 1, [grown]);
        }

        // A full block splits in two halves, so a run of inserts into one range does not split on every insert.
        var half = grown.Length / 2;
        return Replace(block, 1, [grown[..half], grown[half..]]);
    }

    /// <summary>
    /// This directory or a new one without <paramref name="region"/> (unchanged if the region is not in it); see
    /// <see cref="Insert"/> for <paramref name="inPlace"/>.
    /// </summary>
    public RegionDirectory Remove(CachedRegion region, bool inPlace)
    {
        if (!TryFloor(region.StartKey, KeyPrefix.Of(region.StartKey), inclusive: true, out var block, out var old, out var index) ||
            !ReferenceEquals(old[index].Region, region))
        {
            return this;
        }

        if (old.Length == 1)
        {
            return Replace(block, 1, []);
        }

        var shrunk = new RegionEntry[old.Length - 1];
        old[..index].CopyTo(shrunk);
        old[(index + 1)..].CopyTo(shrunk.AsSpan(index));

        // Blocks thinned out by removals (expiry rounds drop many) merge with a neighbour while the two fit in half
        // a block, so the block-level search does not grow with regions long gone.
        if (block + 1 < _blocks.Length && shrunk.Length + BlockAt(block + 1).Length <= MaxBlockLength / 2)
        {
            return Replace(block, 2, [[.. shrunk, .. BlockAt(block + 1)]]);
        }

        if (block > 0 && shrunk.Length + BlockAt(block - 1).Length <= MaxBlockLength / 2)
        {
            return Replace(block - 1, 2, [[.. BlockAt(block - 1), .. shrunk]]);
        }

        return inPlace && index > 0 ? ReplaceInPlace(block, shrunk, -1) : Replace(block, 1, [shrunk]);
    }

    /// <summary>
    /// A new directory of the same regions whose blocks are allocated one after the other. A touch that lands on
    /// this directory's blocks after their copy is lost; the region then expires early and is loaded from PD again.
    /// </summary>
    public RegionDirectory Compact()
    {
        var blocks = new RegionEntry[_blocks.Length][];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = BlockAt(i).ToArray();
        }

        return new RegionDirectory(_firsts, blocks, Count, 0);
    }

    /// <summary>Finds the floor entry: its block, that block's entries and its index there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFloor(ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive, out int block, out RegionEntry[] entries, out int index)
    {
        block = LastBlockStartingBelow(key, prefix, inclusive);
        if (block < 0)
        {
            entries = [];
            index = -1;
            return false;
        }

        // The block's first entry starts below the key (that is how the block was chosen), so the answer is in it
        // and the search within the block can skip that entry.
        entries = Volatile.Read(ref _blocks[block]);
        index = FirstNotBelow(entries.AsSpan(1), key, prefix, inclusive);
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
            var below = first != prefix ? first < prefix : BlockAt(mid)[0].StartsBelow(key, prefix, inclusive);
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

    /// <summary>This directory, with block <paramref name="block"/> (whose first entry is unchanged) replaced.</summary>
    private RegionDirectory ReplaceInPlace(int block, RegionEntry[] replacement, int countChange)
    {
        Volatile.Write(ref _blocks[block], replacement);
        Volatile.Write(ref _count, _count + countChange);
        Volatile.Write(ref _changedBlocks, _changedBlocks + 1);
        return this;
    }

    /// <summary>A new directory with blocks [block, block + removed) replaced by <paramref name="replacements"/>.</summary>
    private RegionDirectory Replace(int block, int removed, RegionEntry[][] replacements)
    {
        var length = _blocks.Length - removed + replacements.Length;
        var blocks = new RegionEntry[length][];
        var firsts = new UInt128[length];
        _blocks.AsSpan(0, block).CopyTo(blocks);
        _firsts.AsSpan(0, block).CopyTo(firsts);
        var count = Count;
        for (var i = 0; i < removed; i++)
        {
            count -= BlockAt(block + i).Length;
        }

        for (var i = 0; i < replacements.Length; i++)
        {
            blocks[block + i] = replacements[i];
            firsts[block + i] = replacements[i][0].StartPrefix;
            count += replacements[i].Length;
        }

        _blocks.AsSpan(block + removed).CopyTo(blocks.AsSpan(block + replacements.Length));
        _firsts.AsSpan(block + removed).CopyTo(firsts.AsSpan(block + replacements.Length));
        return new RegionDirectory(firsts, blocks, count, ChangedBlocks + replacements.Length);
    }
}
