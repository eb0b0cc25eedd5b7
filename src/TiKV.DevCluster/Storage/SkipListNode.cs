namespace TiKV.DevCluster.Storage;

/// <summary>
/// A node of <see cref="OrderedTable"/>. Links and value are published with volatile writes. The level-0 link is a
/// field and only taller nodes (a quarter of them) carry an array for the upper levels: most nodes are one object,
/// and a seek's last steps along level 0 touch one object per key instead of two.
/// </summary>
internal sealed class SkipListNode
{
    private readonly SkipListNode?[]? _upper;
    private byte[] _value;
    private SkipListNode? _next;

    public SkipListNode(byte[] key, byte[] value, int height)
    {
        Key = key;
        _value = value;
        _upper = height > 1 ? new SkipListNode?[height - 1] : null;
    }

    /// <summary>The key; immutable.</summary>
    public byte[] Key { get; }

    /// <summary>Number of levels the node is linked on.</summary>
    public int Height => _upper is null ? 1 : _upper.Length + 1;

    /// <summary>The current value.</summary>
    public byte[] Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    /// <summary>Reads the forward link at <paramref name="level"/>.</summary>
    public SkipListNode? NextAt(int level) => level == 0 ? Volatile.Read(ref _next) : Volatile.Read(ref _upper![level - 1]);

    /// <summary>Publishes the forward link at <paramref name="level"/>.</summary>
    public void SetNext(int level, SkipListNode? node)
    {
        if (level == 0)
        {
            Volatile.Write(ref _next, node);
        }
        else
        {
            Volatile.Write(ref _upper![level - 1], node);
        }
    }
}
