namespace TiKV.DevCluster.Storage;

/// <summary>
/// One scan chunk's inputs, each sorted in scan order: entries of the active memtable layer, of the frozen one
/// (null values are tombstones) and of the main table, each with whether it stopped at the chunk limit, plus the
/// layers' delete-ranges. Newer sources win: the active layer over the frozen one over the main table, and a
/// layer's delete-ranges hide the older sources only.
/// </summary>
internal sealed class DurableMergeSources(
    List<KeyValuePair<byte[], byte[]?>> active,
    bool activeMore,
    DurableRangeTombstone[] activeRanges,
    List<KeyValuePair<byte[], byte[]?>> frozen,
    bool frozenMore,
    DurableRangeTombstone[] frozenRanges,
    List<KeyValuePair<byte[], byte[]>> main,
    bool mainMore)
{
    /// <summary>
    /// Appends the live entries to <paramref name="into"/> in scan order, up to the bound below which every source
    /// is complete: the earliest last key of a source that stopped at its limit. Returns that bound (entries up to
    /// and including it are decided), or null when every source was exhausted.
    /// </summary>
    public byte[]? Merge(bool reverse, List<KeyValuePair<byte[], byte[]>> into)
    {
        byte[]? bound = null;
        Tighten(ref bound, activeMore, active, reverse);
        Tighten(ref bound, frozenMore, frozen, reverse);
        if (mainMore && main.Count > 0 && (bound is null || Before(main[^1].Key, bound, reverse)))
        {
            bound = main[^1].Key;
        }

        int a = 0, f = 0, m = 0;
        while (true)
        {
            byte[]? key = null;
            if (a < active.Count)
            {
                key = active[a].Key;
            }

            if (f < frozen.Count && (key is null || Before(frozen[f].Key, key, reverse)))
            {
                key = frozen[f].Key;
            }

            if (m < main.Count && (key is null || Before(main[m].Key, key, reverse)))
            {
                key = main[m].Key;
            }

            if (key is null || (bound is not null && Before(bound, key, reverse)))
            {
                return bound;
            }

            var inActive = a < active.Count && active[a].Key.AsSpan().SequenceEqual(key);
            var inFrozen = f < frozen.Count && frozen[f].Key.AsSpan().SequenceEqual(key);
            var inMain = m < main.Count && main[m].Key.AsSpan().SequenceEqual(key);
            byte[]? value;
            if (inActive)
            {
                value = active[a].Value;
            }
            else if (DurableRangeTombstone.AnyCovers(activeRanges, key))
            {
                value = null;
            }
            else if (inFrozen)
            {
                value = frozen[f].Value;
            }
            else if (DurableRangeTombstone.AnyCovers(frozenRanges, key))
            {
                value = null;
            }
            else
            {
                value = main[m].Value;
            }

            if (value is not null)
            {
                into.Add(new KeyValuePair<byte[], byte[]>(key, value));
            }

            a += inActive ? 1 : 0;
            f += inFrozen ? 1 : 0;
            m += inMain ? 1 : 0;
        }
    }

    /// <summary>Whether <paramref name="x"/> comes before <paramref name="y"/> in scan order.</summary>
    private static bool Before(byte[] x, byte[] y, bool reverse)
    {
        var order = x.AsSpan().SequenceCompareTo(y);
        return reverse ? order > 0 : order < 0;
    }

    private static void Tighten(ref byte[]? bound, bool more, List<KeyValuePair<byte[], byte[]?>> entries, bool reverse)
    {
        if (more && entries.Count > 0 && (bound is null || Before(entries[^1].Key, bound, reverse)))
        {
            bound = entries[^1].Key;
        }
    }
}
