namespace TiKV.DevCluster.Storage;

/// <summary>A node of <see cref="OrderedTable"/>. Links and value are published with volatile writes.</summary>
internal sealed class SkipListNode
{
    private byte[] _value;

    public SkipListNode(byte[] key, byte[] value, int height)
    {
        Key = key;
        _value = value;
        Next = new SkipListNode?[height];
    }

    /// <summary>The key; immutable.</summary>
    public byte[] Key { get; }

    /// <summary>Forward links, one per level.</summary>
    public SkipListNode?[] Next { get; }

    /// <summary>The current value.</summary>
    public byte[] Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    /// <summary>Reads the forward link at <paramref name="level"/>.</summary>
    public SkipListNode? NextAt(int level) => Volatile.Read(ref Next[level]);

    /// <summary>Publishes the forward link at <paramref name="level"/>.</summary>
    public void SetNext(int level, SkipListNode? node) => Volatile.Write(ref Next[level], node);
}
