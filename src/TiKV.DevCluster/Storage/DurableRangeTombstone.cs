namespace TiKV.DevCluster.Storage;

/// <summary>
/// A delete-range held by a memtable layer: it hides [<paramref name="Start"/>, <paramref name="End"/>) (empty end =
/// unbounded) in older layers and the main tables. Entries of the same layer inside the range are newer than it.
/// </summary>
internal readonly record struct DurableRangeTombstone(byte[] Start, byte[] End)
{
    public bool Covers(ReadOnlySpan<byte> key)
        => key.SequenceCompareTo(Start) >= 0 && (End.Length == 0 || key.SequenceCompareTo(End) < 0);

    /// <summary>Whether any of <paramref name="ranges"/> covers <paramref name="key"/>.</summary>
    public static bool AnyCovers(DurableRangeTombstone[] ranges, ReadOnlySpan<byte> key)
    {
        foreach (var range in ranges)
        {
            if (range.Covers(key))
            {
                return true;
            }
        }

        return false;
    }
}
