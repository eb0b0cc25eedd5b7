namespace TiKV.Client.Locate.Internal;

/// <summary>
/// One block of a <see cref="RegionDirectory"/>: <see cref="Length"/> entries in start key order at
/// <see cref="Offset"/> in <see cref="Array"/>. A block changed since the last compaction has an array of its own;
/// compaction places every block in one shared array, so a lookup for a random key lands in one contiguous
/// stretch of memory instead of a small array somewhere in the heap.
/// </summary>
internal readonly struct RegionBlock(RegionEntry[] array, int offset, int length)
{
    public RegionEntry[] Array { get; } = array;

    public int Offset { get; } = offset;

    public int Length { get; } = length;

    /// <summary>The block's entries; shared with readers, so the only write allowed is <see cref="RegionEntry.Touch"/>.</summary>
    public Span<RegionEntry> Entries => Array.AsSpan(Offset, Length);

    public static RegionBlock Of(RegionEntry[] entries) => new(entries, 0, entries.Length);
}
