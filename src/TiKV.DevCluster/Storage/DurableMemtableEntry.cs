namespace TiKV.DevCluster.Storage;

/// <summary>
/// One key of a <see cref="DurableMemtable"/> layer: its latest value, or a tombstone (null) hiding the key in
/// older layers and in the main tables until the layer is folded.
/// </summary>
internal sealed class DurableMemtableEntry(byte[] key, byte[]? value)
{
    public byte[] Key { get; } = key;

    /// <summary>The value, or null for a deleted key. Changed only under the engine's memtable write lock.</summary>
    public byte[]? Value { get; set; } = value;
}
