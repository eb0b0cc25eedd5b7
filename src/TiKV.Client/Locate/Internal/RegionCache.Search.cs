using System.Runtime.InteropServices;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// Binary search over the sorted regions. A plain search compares the key with a region's start key at every
/// step, and each step then reads a different region object and key array: with 100k regions that is a chain
/// of dependent cache misses. So the search first runs over <c>_prefixes</c>, the first 16 bytes of every start
/// key (zero-padded, big-endian) in one contiguous array, and compares whole keys only among the regions whose
/// prefix equals the key's: usually none or one, more only when start keys share their first 16 bytes.
/// Prefixes order like the keys they come from (a smaller prefix means a smaller key), equal prefixes decide nothing.
/// Callers hold the lock.
/// </summary>
internal sealed partial class RegionCache
{
    // Every SummaryStride-th prefix, rebuilt after each change: small enough (1/16 of the regions, 100 KiB for
    // 100k regions) to stay in the CPU cache, it narrows a search to one run of 16 neighbouring prefixes (256 bytes,
    // four cache lines) before _prefixes is touched.
    private const int SummaryStride = 16;

    private UInt128[] _summary = [];
    private int _summaryLength;

    private static UInt128 PrefixOf(ReadOnlySpan<byte> key) => KeyPrefix.Of(key);

    /// <summary>
    /// Refreshes the summary after a change to the sorted list. Called under the write lock, so readers never
    /// see it half-written and the array can be updated in place.
    /// </summary>
    private void RebuildSummary()
    {
        var prefixes = CollectionsMarshal.AsSpan(_prefixes);
        var length = (prefixes.Length + SummaryStride - 1) / SummaryStride;
        if (_summary.Length < length)
        {
            _summary = new UInt128[Math.Max(length, _summary.Length * 2)];
        }

        for (var i = 0; i < length; i++)
        {
            _summary[i] = prefixes[i * SummaryStride];
        }

        _summaryLength = length;
    }

    /// <summary>Index of the last region whose start key is ≤ key (or &lt; key when not inclusive); -1 if none.</summary>
    private int FloorIndex(ReadOnlySpan<byte> key, UInt128 prefix, bool inclusive)
    {
        var prefixes = CollectionsMarshal.AsSpan(_prefixes);

        // [tieStart, tieEnd): the regions whose prefix equals the key's; all before sort below the key, all after above.
        var tieEnd = UpperBoundSummarized(prefixes, prefix);
        if (tieEnd == 0 || prefixes[tieEnd - 1] != prefix)
        {
            return tieEnd - 1;
        }

        var tieStart = LowerBound(prefixes[..tieEnd], prefix);
        var regions = CollectionsMarshal.AsSpan(_sorted);
        int lo = tieStart, hi = tieEnd - 1, found = tieStart - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = regions[mid].StartKey.AsSpan().SequenceCompareTo(key);
            if (cmp < 0 || (inclusive && cmp == 0))
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Index of the first region whose start key is ≥ key.</summary>
    private int LowerBound(ReadOnlySpan<byte> key)
    {
        var prefixes = CollectionsMarshal.AsSpan(_prefixes);
        var prefix = PrefixOf(key);
        var lo = LowerBound(prefixes, prefix);
        var hi = UpperBound(prefixes, prefix);
        var regions = CollectionsMarshal.AsSpan(_sorted);
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (regions[mid].StartKey.AsSpan().SequenceCompareTo(key) < 0)
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

    /// <summary>First index whose prefix is &gt; <paramref name="prefix"/>, narrowed through the summary first.</summary>
    private int UpperBoundSummarized(ReadOnlySpan<UInt128> prefixes, UInt128 prefix)
    {
        // summary[block] = prefixes[block * stride]: the first block whose first prefix is above the key bounds
        // the answer from above, the block before it from below.
        var block = UpperBound(_summary.AsSpan(0, _summaryLength), prefix);
        if (block == 0)
        {
            return 0;
        }

        var start = (block - 1) * SummaryStride;
        var end = Math.Min(prefixes.Length, block * SummaryStride);
        return start + UpperBound(prefixes[start..end], prefix);
    }

    /// <summary>First index whose prefix is ≥ <paramref name="prefix"/>.</summary>
    private static int LowerBound(ReadOnlySpan<UInt128> prefixes, UInt128 prefix)
    {
        int lo = 0, hi = prefixes.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (prefixes[mid] < prefix)
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

    /// <summary>First index whose prefix is &gt; <paramref name="prefix"/>.</summary>
    private static int UpperBound(ReadOnlySpan<UInt128> prefixes, UInt128 prefix)
    {
        int lo = 0, hi = prefixes.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (prefixes[mid] <= prefix)
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
}
