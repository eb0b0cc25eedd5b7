namespace TiKV.DevCluster.Storage;

/// <summary>
/// One key of a <see cref="DurableMemtable"/> layer: its latest value, or a tombstone (null) hiding the key in
/// older layers and in the main tables until the layer is folded. A struct, stored inside the sorted set's node:
/// a memtable holds one object per key fewer for the garbage collector to trace.
/// </summary>
internal readonly struct DurableMemtableEntry(byte[]? key, byte[]? value)
{
    /// <summary>The key; null only in <see cref="DurableMemtableEntryComparer.AfterAll"/>.</summary>
    public byte[]? Key { get; } = key;

    public byte[]? Value { get; } = value;

    /// <summary>The key of a stored entry (never the sentinel).</summary>
    public byte[] StoredKey => Key!;
}
