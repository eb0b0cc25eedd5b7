namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// PD's id allocator: one monotonically increasing sequence shared by stores, regions and peers, so every id in
/// the cluster is unique (PD's <c>AllocID</c>).
/// </summary>
internal sealed class IdAllocator
{
    private long _last;

    /// <summary>Creates an allocator whose next id is <paramref name="last"/> + 1.</summary>
    public IdAllocator(ulong last)
    {
        _last = (long)last;
    }

    /// <summary>The last id handed out.</summary>
    public ulong Last => (ulong)Interlocked.Read(ref _last);

    /// <summary>Allocates one id.</summary>
    public ulong Next() => (ulong)Interlocked.Increment(ref _last);

    /// <summary>Allocates <paramref name="count"/> consecutive ids and returns the last (as PD's AllocID with count).</summary>
    public ulong NextBatch(uint count) => (ulong)Interlocked.Add(ref _last, count);
}
