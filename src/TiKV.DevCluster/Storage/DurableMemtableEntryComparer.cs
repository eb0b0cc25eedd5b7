namespace TiKV.DevCluster.Storage;

/// <summary>
/// Orders memtable entries by unsigned bytes (the main tables' memcmp order), with a sentinel greater than every
/// key so an unbounded range can be expressed as a sorted-set view.
/// </summary>
internal sealed class DurableMemtableEntryComparer : IComparer<DurableMemtableEntry>
{
    public static readonly DurableMemtableEntryComparer Instance = new();

    /// <summary>Sorts after every real key (its key is null); never stored.</summary>
    public static readonly DurableMemtableEntry AfterAll = new(null, null);

    private DurableMemtableEntryComparer()
    {
    }

    public int Compare(DurableMemtableEntry x, DurableMemtableEntry y)
    {
        if (x.Key is null)
        {
            return y.Key is null ? 0 : 1;
        }

        return y.Key is null ? -1 : x.Key.AsSpan().SequenceCompareTo(y.Key);
    }
}
