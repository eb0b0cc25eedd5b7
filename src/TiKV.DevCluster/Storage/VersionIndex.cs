using System.Buffers.Binary;
using System.Numerics;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// A hash index over the versioned keys of a column family (TiKV's layout: user key + 8-byte !ts): for every user
/// key, the node of its smallest key, i.e. its newest version. A point read lands on the newest version without a
/// skip-list seek, so its cost does not grow with the number of versions in the table. Buckets chain through the
/// nodes themselves, so indexing a key allocates nothing. One writer at a time (the engine's write lock) changes
/// it; readers take no lock. A reader that could be misled by a concurrent resize reports
/// <see cref="VersionIndexLookup.Unknown"/> and seeks the skip list instead, so the index is never the only source of truth.
/// </summary>
internal sealed class VersionIndex
{
    /// <summary>Length of the version suffix.</summary>
    public const int TsLength = 8;

    private const int InitialBuckets = 1024;

    // A reader gives up after this many chain steps (a long chain means hash collisions by design or a resize).
    private const int MaxChainSteps = 32;

    private SkipListNode?[] _buckets = new SkipListNode?[InitialBuckets];
    private int _count;

    // Odd while a resize relinks the chains.
    private int _resizes;

    /// <summary>Number of user keys indexed.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether <paramref name="candidate"/> is a version of the same user key as <paramref name="versionKey"/>.</summary>
    public static bool IsSameUserKey(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> versionKey)
        => candidate.Length == versionKey.Length && candidate[..^TsLength].SequenceEqual(versionKey[..^TsLength]);

    /// <summary>Finds the newest-version node of the user key of <paramref name="versionKey"/> (length ≥ <see cref="TsLength"/>).</summary>
    public VersionIndexLookup TryFind(ReadOnlySpan<byte> versionKey, out SkipListNode? node)
    {
        node = null;
        var resizes = Volatile.Read(ref _resizes);
        if ((resizes & 1) != 0)
        {
            return VersionIndexLookup.Unknown;
        }

        var hash = Hash(versionKey[..^TsLength]);
        var buckets = Volatile.Read(ref _buckets);
        var current = Volatile.Read(ref buckets[hash & (buckets.Length - 1)]);
        for (var steps = 0; current is not null; steps++)
        {
            if (steps == MaxChainSteps)
            {
                return VersionIndexLookup.Unknown;
            }

            if (current.VersionHash == hash && IsSameUserKey(current.Key, versionKey))
            {
                node = current;
                return VersionIndexLookup.Found;
            }

            current = current.VersionChain;
        }

        // A miss is only trusted if no resize relinked the chains while they were walked (a seqlock check).
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _resizes) == resizes ? VersionIndexLookup.Absent : VersionIndexLookup.Unknown;
    }

    /// <summary>Records a node just linked into the table. Caller holds the write lock.</summary>
    public void Added(SkipListNode node)
    {
        var key = node.Key;
        if (key.Length < TsLength)
        {
            return;
        }

        var hash = Hash(key.AsSpan(0, key.Length - TsLength));
        node.VersionHash = hash;
        var bucket = hash & (_buckets.Length - 1);
        var entry = Find(bucket, hash, key, out var previous);
        if (entry is null)
        {
            node.VersionChain = _buckets[bucket];
            Volatile.Write(ref _buckets[bucket], node);
            Volatile.Write(ref _count, _count + 1);
            if (_count > _buckets.Length)
            {
                Grow();
            }

            return;
        }

        if (ByteKeyComparer.CompareKeys(key, entry.Key) < 0)
        {
            Replace(bucket, previous, entry, node);
        }
    }

    /// <summary>
    /// Records a node just unlinked from the table (its forward links are intact). When it was its user key's
    /// newest version, the next version takes its place. Caller holds the write lock.
    /// </summary>
    public void Removed(SkipListNode node)
    {
        var key = node.Key;
        if (key.Length < TsLength)
        {
            return;
        }

        var bucket = node.VersionHash & (_buckets.Length - 1);
        var entry = Find(bucket, node.VersionHash, key, out var previous);
        if (!ReferenceEquals(entry, node))
        {
            return;
        }

        var userKey = key.AsSpan(0, key.Length - TsLength);
        var successor = node.NextAt(0);
        while (successor is not null && successor.Key.AsSpan().StartsWith(userKey) && successor.Key.Length != key.Length)
        {
            successor = successor.NextAt(0);
        }

        if (successor is not null && successor.Key.Length == key.Length && successor.Key.AsSpan().StartsWith(userKey))
        {
            Replace(bucket, previous, node, successor);
            return;
        }

        if (previous is null)
        {
            Volatile.Write(ref _buckets[bucket], node.VersionChain);
        }
        else
        {
            previous.VersionChain = node.VersionChain;
        }

        Volatile.Write(ref _count, _count - 1);
    }

    private static int Hash(ReadOnlySpan<byte> userKey)
    {
        // 8 bytes at a time with a multiply-rotate mix; lengths up to a few hundred bytes are typical.
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        var hash = (ulong)userKey.Length * Prime;
        while (userKey.Length >= 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(userKey)) * Prime, 31);
            userKey = userKey[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < userKey.Length; i++)
        {
            tail = (tail << 8) | userKey[i];
        }

        hash = (hash ^ tail) * Prime;
        return (int)(hash ^ (hash >> 32));
    }

    private SkipListNode? Find(int bucket, int hash, byte[] versionKey, out SkipListNode? previous)
    {
        previous = null;
        var current = _buckets[bucket];
        while (current is not null)
        {
            if (current.VersionHash == hash && IsSameUserKey(current.Key, versionKey))
            {
                return current;
            }

            previous = current;
            current = current.VersionChain;
        }

        return null;
    }

    private void Replace(int bucket, SkipListNode? previous, SkipListNode old, SkipListNode replacement)
    {
        // The old node keeps its chain link, so a reader standing on it still walks the rest of the bucket.
        replacement.VersionChain = old.VersionChain;
        if (previous is null)
        {
            Volatile.Write(ref _buckets[bucket], replacement);
        }
        else
        {
            previous.VersionChain = replacement;
        }
    }

    private void Grow()
    {
        // Full fences around the relinking: readers must see the odd count before any chain changes.
        Interlocked.Increment(ref _resizes);
        var buckets = new SkipListNode?[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        foreach (var head in _buckets)
        {
            var node = head;
            while (node is not null)
            {
                var next = node.VersionChain;
                node.VersionChain = buckets[node.VersionHash & mask];
                buckets[node.VersionHash & mask] = node;
                node = next;
            }
        }

        Volatile.Write(ref _buckets, buckets);
        Interlocked.Increment(ref _resizes);
    }
}
