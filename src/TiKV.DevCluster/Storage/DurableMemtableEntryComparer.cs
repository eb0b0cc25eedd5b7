namespace TiKV.DevCluster.Storage;

/// <summary>
/// Orders memtable entries by unsigned bytes (the main tables' memcmp order), with a sentinel greater than every
/// key so an unbounded range can be expressed as a sorted-set view.
/// </summary>
internal sealed class DurableMemtableEntryComparer : IComparer<DurableMemtableEntry>
{
    public static readonly DurableMemtableEntryComparer Instance = new();

    /// <summary>Sorts after every real key; never stored.</summary>
    public static readonly DurableMemtableEntry AfterAll = new([], null);

    private DurableMemtableEntryComparer()
    {
    }

    public int Compare(DurableMemtableEntry? x, DurableMemtableEntry? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (ReferenceEquals(x, AfterAll) || y is null)
        {
            return 1;
        }

        if (ReferenceEquals(y, AfterAll) || x is null)
        {
            return -1;
        }

        return x.Key.AsSpan().SequenceCompareTo(y.Key);
    }
}
