namespace TiKV.DevCluster.Internal.Keys;

/// <summary>Unsigned lexicographic byte order, the order RocksDB and TiKV use for keys.</summary>
internal sealed class KeyComparer : IComparer<byte[]>
{
    /// <summary>The shared instance.</summary>
    public static KeyComparer Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y.AsSpan());

    /// <summary>
    /// Whether <paramref name="key"/> lies in [<paramref name="start"/>, <paramref name="end"/>), where an empty
    /// end means unbounded (TiKV's <c>check_key_in_region</c>).
    /// </summary>
    public static bool InRange(ReadOnlySpan<byte> key, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end) =>
        key.SequenceCompareTo(start) >= 0 && (end.IsEmpty || key.SequenceCompareTo(end) < 0);

    /// <summary>
    /// Whether <paramref name="key"/> lies in [<paramref name="start"/>, <paramref name="end"/>] (TiKV's
    /// <c>check_key_in_region_inclusive</c>, used where a scan seeks).
    /// </summary>
    public static bool InRangeInclusive(ReadOnlySpan<byte> key, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end) =>
        key.SequenceCompareTo(start) >= 0 && (end.IsEmpty || key.SequenceCompareTo(end) <= 0);

    /// <summary>Whether end key <paramref name="a"/> lies beyond end key <paramref name="b"/>; empty means +infinity.</summary>
    public static int CompareEnd(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.IsEmpty)
        {
            return b.IsEmpty ? 0 : 1;
        }

        return b.IsEmpty ? -1 : a.SequenceCompareTo(b);
    }
}
