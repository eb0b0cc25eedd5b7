using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// One column family of <see cref="MemoryStorageEngine"/>: a skip list ordered by unsigned bytes for seeks and
/// scans, plus (optionally) a hash index for point reads and a <see cref="VersionIndex"/> for version seeks. A single writer at a time (the engine's write lock) mutates it;
/// any number of readers traverse it without locks. Removal unlinks a node but leaves its forward links intact,
/// so a reader standing on it still reaches larger keys, and every step moves to a strictly larger key.
/// </summary>
internal sealed class OrderedTable
{
    private const int MaxHeight = 24;

    // A version seek walks at most this many older-than-wanted versions from the newest one, then seeks instead.
    private const int MaxVersionSteps = 16;

    private readonly SkipListNode _head = new([], [], MaxHeight);
    private readonly ConcurrentDictionary<byte[], SkipListNode>? _index;
    private readonly ConcurrentDictionary<byte[], SkipListNode>.AlternateLookup<ReadOnlySpan<byte>> _spanIndex;
    private readonly VersionIndex? _versions;
    private readonly SkipListNode[] _preds = new SkipListNode[MaxHeight];
    private int _height = 1;
    private uint _random = 0x9E3779B9u;
    private long _bytes;
    private long _count;

    /// <summary>
    /// Creates a table; <paramref name="pointIndex"/> adds a hash index for column families read by key,
    /// <paramref name="versionIndex"/> a <see cref="VersionIndex"/> for column families sought by version.
    /// </summary>
    public OrderedTable(bool pointIndex, bool versionIndex = false)
    {
        if (versionIndex)
        {
            _versions = new VersionIndex();
        }

        if (pointIndex)
        {
            _index = new ConcurrentDictionary<byte[], SkipListNode>(ByteKeyComparer.Instance);
            _spanIndex = _index.GetAlternateLookup<ReadOnlySpan<byte>>();
        }
    }

    /// <summary>Number of entries.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Total key and value bytes.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Point read without locks.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value)
    {
        var node = _index is null ? SeekFirstAtLeast(key) : _spanIndex.TryGetValue(key, out var indexed) ? indexed : null;
        if (node is not null && (_index is not null || node.Key.AsSpan().SequenceEqual(key)))
        {
            value = node.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The first node with a key ≥ <paramref name="key"/>, or null.</summary>
    public SkipListNode? SeekFirstAtLeast(ReadOnlySpan<byte> key)
    {
        var node = _head;
        SkipListNode? next = null;
        for (var level = Volatile.Read(ref _height) - 1; level >= 0; level--)
        {
            next = node.NextAt(level);
            while (next is not null && ByteKeyComparer.CompareKeys(next.Key, key) < 0)
            {
                node = next;
                next = node.NextAt(level);
            }
        }

        // Return the successor already compared: re-reading node.Next[0] could yield a smaller key linked meanwhile.
        return next;
    }

    /// <summary>
    /// The first node at or after <paramref name="versionKey"/> that is a version of the same user key (same length,
    /// same bytes but the last <see cref="VersionIndex.TsLength"/>), or null: the newest version at or below a
    /// timestamp in TiKV's key layout. With a version index, a key with several versions starts from its newest one.
    /// </summary>
    public SkipListNode? SeekVersion(ReadOnlySpan<byte> versionKey)
    {
        if (versionKey.Length < VersionIndex.TsLength)
        {
            return null;
        }

        if (_versions is not null && _versions.Count > 0 && _versions.TryFind(versionKey, out var node))
        {
            var userKey = versionKey[..^VersionIndex.TsLength];
            for (var steps = 0; steps < MaxVersionSteps; steps++)
            {
                var key = node.Key;
                if (!key.AsSpan().StartsWith(userKey))
                {
                    return null;
                }

                if (key.Length == versionKey.Length && ByteKeyComparer.CompareKeys(key, versionKey) >= 0)
                {
                    return node;
                }

                if (node.NextAt(0) is not { } next)
                {
                    return null;
                }

                node = next;
            }
        }

        return FirstVersionFrom(SeekFirstAtLeast(versionKey), versionKey);
    }

    /// <summary>The last node with a key &lt; <paramref name="key"/> (or the last node when <paramref name="unbounded"/>), or null.</summary>
    public SkipListNode? SeekLastBefore(ReadOnlySpan<byte> key, bool unbounded)
    {
        var node = _head;
        for (var level = Volatile.Read(ref _height) - 1; level >= 0; level--)
        {
            var next = node.NextAt(level);
            while (next is not null && (unbounded || ByteKeyComparer.CompareKeys(next.Key, key) < 0))
            {
                node = next;
                next = node.NextAt(level);
            }
        }

        return ReferenceEquals(node, _head) ? null : node;
    }

    /// <summary>Inserts or overwrites. Caller holds the engine's write lock.</summary>
    public void Put(byte[] key, byte[] value)
    {
        FindPredecessors(key);
        var existing = _preds[0].NextAt(0);
        if (existing is not null && existing.Key.AsSpan().SequenceEqual(key))
        {
            Interlocked.Add(ref _bytes, value.LongLength - existing.Value.LongLength);
            existing.Value = value;
            return;
        }

        var height = RandomHeight();
        if (height > _height)
        {
            for (var level = _height; level < height; level++)
            {
                _preds[level] = _head;
            }

            Volatile.Write(ref _height, height);
        }

        var node = new SkipListNode(key, value, height);
        for (var level = 0; level < height; level++)
        {
            node.SetNext(level, _preds[level].NextAt(level));
        }

        // Link bottom-up: once reachable at level 0 the node is fully formed, and higher levels are only shortcuts.
        for (var level = 0; level < height; level++)
        {
            _preds[level].SetNext(level, node);
        }

        _index?.TryAdd(key, node);
        if (_versions is not null)
        {
            IndexVersion(node, _preds[0]);
        }
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, key.LongLength + value.LongLength);
    }

    /// <summary>Removes <paramref name="key"/> if present. Caller holds the engine's write lock.</summary>
    public void Remove(byte[] key)
    {
        FindPredecessors(key);
        var node = _preds[0].NextAt(0);
        if (node is null || !node.Key.AsSpan().SequenceEqual(key))
        {
            return;
        }

        _index?.TryRemove(key, out _);
        UnlinkFound(node);
    }

    /// <summary>Removes every key in [start, end); empty end is unbounded. Caller holds the engine's write lock.</summary>
    public void RemoveRange(byte[] start, byte[] end)
    {
        var node = SeekFirstAtLeast(start);
        while (node is not null && (end.Length == 0 || ByteKeyComparer.CompareKeys(node.Key, end) < 0))
        {
            var next = node.NextAt(0);
            _index?.TryRemove(node.Key, out _);
            FindPredecessors(node.Key);
            UnlinkFound(node);
            node = next;
        }
    }

    /// <summary>
    /// Approximate entries and bytes in [start, end). Small ranges are counted exactly; large ones are
    /// sampled on a higher skip-list level, where each node stands for 4^level nodes on average.
    /// </summary>
    public StorageRangeStats Estimate(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        const int ExactLimit = 4096;
        const int SampleLevel = 3;
        long keys = 0;
        long bytes = 0;
        var node = SeekFirstAtLeast(start);
        while (node is not null && (end.IsEmpty || ByteKeyComparer.CompareKeys(node.Key, end) < 0))
        {
            if (++keys > ExactLimit)
            {
                return Sample(start, end, SampleLevel);
            }

            bytes += node.Key.Length + node.Value.Length;
            node = node.NextAt(0);
        }

        return new StorageRangeStats(keys, bytes);
    }

    private StorageRangeStats Sample(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int sampleLevel)
    {
        var node = _head;
        for (var level = Volatile.Read(ref _height) - 1; level >= sampleLevel; level--)
        {
            var next = node.NextAt(level);
            while (next is not null && ByteKeyComparer.CompareKeys(next.Key, start) < 0)
            {
                node = next;
                next = node.NextAt(level);
            }
        }

        long samples = 0;
        long bytes = 0;
        var current = node.NextAt(sampleLevel);
        while (current is not null && (end.IsEmpty || ByteKeyComparer.CompareKeys(current.Key, end) < 0))
        {
            samples++;
            bytes += current.Key.Length + current.Value.Length;
            current = current.NextAt(sampleLevel);
        }

        var scale = 1L << (2 * sampleLevel);
        return new StorageRangeStats(samples * scale, bytes * scale);
    }

    /// <summary>Unlinks <paramref name="node"/>; <see cref="FindPredecessors"/> must have just run for its key.</summary>
    private void UnlinkFound(SkipListNode node)
    {
        for (var level = node.Height - 1; level >= 0; level--)
        {
            if (ReferenceEquals(_preds[level].NextAt(level), node))
            {
                _preds[level].SetNext(level, node.NextAt(level));
            }
        }

        _versions?.Removed(node);

        Interlocked.Decrement(ref _count);
        Interlocked.Add(ref _bytes, -(node.Key.LongLength + node.Value.LongLength));
    }

    private void FindPredecessors(ReadOnlySpan<byte> key)
    {
        var node = _head;
        for (var level = _height - 1; level >= 0; level--)
        {
            var next = node.NextAt(level);
            while (next is not null && ByteKeyComparer.CompareKeys(next.Key, key) < 0)
            {
                node = next;
                next = node.NextAt(level);
            }

            _preds[level] = node;
        }
    }

    /// <summary>
    /// Keeps the version index current for a node just linked after <paramref name="predecessor"/>: an indexed
    /// user key may get a newer entry; one that now has a second version (a neighbour is a version of it) is
    /// indexed by its newest version, found by a seek because versions and other keys sharing the prefix may interleave.
    /// </summary>
    private void IndexVersion(SkipListNode node, SkipListNode predecessor)
    {
        var key = node.Key;
        if (key.Length < VersionIndex.TsLength || _versions!.TryUpdate(node))
        {
            return;
        }

        var hasNeighbour = VersionIndex.IsSameUserKey(predecessor.Key, key)
            || (node.NextAt(0) is { } successor && VersionIndex.IsSameUserKey(successor.Key, key));
        if (hasNeighbour)
        {
            _versions.Insert(FirstVersionFrom(SeekFirstAtLeast(key.AsSpan(0, key.Length - VersionIndex.TsLength)), key)!);
        }
    }

    private static SkipListNode? FirstVersionFrom(SkipListNode? node, ReadOnlySpan<byte> versionKey)
    {
        var userKey = versionKey[..^VersionIndex.TsLength];
        while (node is not null && node.Key.AsSpan().StartsWith(userKey))
        {
            if (node.Key.Length == versionKey.Length)
            {
                return node;
            }

            node = node.NextAt(0);
        }

        return null;
    }

    private int RandomHeight()
    {
        // xorshift32; a branching factor of 4 keeps towers short while seeks stay logarithmic.
        var x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        var height = 1;
        while (height < MaxHeight && (x & 3) == 0)
        {
            height++;
            x >>= 2;
        }

        return height;
    }
}
