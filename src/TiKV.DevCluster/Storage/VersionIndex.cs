using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// A hash index over the versioned keys of a column family (TiKV's layout: user key + 8-byte !ts): for every user
/// key with more than one version, the node of its smallest key, i.e. its newest version. A point read of such a key
/// lands on the newest version without a skip-list seek, so the versions a key accumulates do not make reading it
/// slower. A key with a single version is not indexed: its seek costs what it would without versions, and a
/// stream of new keys (every insert of a fresh transaction) leaves the index alone, which matters because every
/// entry is a reference from a long-lived array to a young node that each young-generation GC has to scan.
/// <para>
/// Open addressing with linear probing over two parallel arrays (hashes and nodes), so a probe reads contiguous
/// memory and touches a node only when its hash matches, and a resize copies the arrays without visiting nodes.
/// Removed entries leave a tombstone until the next rebuild. One writer at a time (the engine's write lock) changes
/// the index; readers take no lock. A reader that finds nothing (not indexed, a concurrent rebuild, or a probe too
/// long) seeks the skip list instead: the index only ever shortcuts to a node, it never decides that a key is
/// absent, and hostile keys that collide can only make reads fall back to the seek.
/// </para>
/// </summary>
internal sealed class VersionIndex
{
    /// <summary>Length of the version suffix.</summary>
    public const int TsLength = 8;

    private const int InitialCapacity = 1024;

    // A reader gives up after this many slots (clusters this long are rare below half load).
    private const int MaxProbe = 64;

    private static readonly SkipListNode Tombstone = new([], [], 1);

    private Slots _slots = new(InitialCapacity);
    private int _live;

    // Live entries plus tombstones: what makes probes long.
    private int _used;

    /// <summary>Number of user keys indexed.</summary>
    public int Count => Volatile.Read(ref _live);

    /// <summary>Whether <paramref name="candidate"/> is a version of the same user key as <paramref name="versionKey"/>.</summary>
    public static bool IsSameUserKey(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> versionKey)
        => candidate.Length == versionKey.Length && candidate[..^TsLength].SequenceEqual(versionKey[..^TsLength]);

    /// <summary>
    /// Finds the newest-version node of the user key of <paramref name="versionKey"/> (length ≥ <see cref="TsLength"/>);
    /// false means "seek instead", not "absent".
    /// </summary>
    public bool TryFind(ReadOnlySpan<byte> versionKey, [NotNullWhen(true)] out SkipListNode? node)
    {
        var hash = Hash(versionKey[..^TsLength]);
        var slots = Volatile.Read(ref _slots);
        var index = hash & slots.Mask;
        for (var probe = 0; probe < MaxProbe; probe++)
        {
            var current = Volatile.Read(ref slots.Nodes[index]);
            if (current is null)
            {
                break;
            }

            if (slots.Hashes[index] == hash && !ReferenceEquals(current, Tombstone) && IsSameUserKey(current.Key, versionKey))
            {
                node = current;
                return true;
            }

            index = (index + 1) & slots.Mask;
        }

        node = null;
        return false;
    }

    /// <summary>
    /// Records a node just linked into the table when its user key is indexed (the node becomes the entry if it is
    /// newer); false when the key is not indexed. Caller holds the write lock.
    /// </summary>
    public bool TryUpdate(SkipListNode node)
    {
        var key = node.Key;
        var slots = _slots;
        var found = Find(slots, Hash(key.AsSpan(0, key.Length - TsLength)), key, out _);
        if (found < 0)
        {
            return false;
        }

        if (ByteKeyComparer.CompareKeys(key, slots.Nodes[found]!.Key) < 0)
        {
            Volatile.Write(ref slots.Nodes[found], node);
        }

        return true;
    }

    /// <summary>Indexes a user key that is not indexed yet, by the node of its newest version. Caller holds the write lock.</summary>
    public void Insert(SkipListNode newest)
    {
        var key = newest.Key;
        var hash = Hash(key.AsSpan(0, key.Length - TsLength));
        var slots = _slots;
        if (Find(slots, hash, key, out var free) >= 0)
        {
            throw new InvalidOperationException("The user key is indexed already.");
        }

        if (slots.Nodes[free] is null)
        {
            _used++;
        }

        // The hash is written before the node is published, so a reader that sees the node sees its hash.
        slots.Hashes[free] = hash;
        Volatile.Write(ref slots.Nodes[free], newest);
        Volatile.Write(ref _live, _live + 1);
        if (_used * 2 > slots.Nodes.Length)
        {
            Rebuild(_live * 4 > slots.Nodes.Length ? slots.Nodes.Length * 2 : slots.Nodes.Length);
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

        var userKey = key.AsSpan(0, key.Length - TsLength);
        var slots = _slots;
        var found = Find(slots, Hash(userKey), key, out _);
        if (found < 0 || !ReferenceEquals(slots.Nodes[found], node))
        {
            return;
        }

        var successor = node.NextAt(0);
        while (successor is not null && successor.Key.AsSpan().StartsWith(userKey) && successor.Key.Length != key.Length)
        {
            successor = successor.NextAt(0);
        }

        if (successor is not null && successor.Key.Length == key.Length && successor.Key.AsSpan().StartsWith(userKey))
        {
            Volatile.Write(ref slots.Nodes[found], successor);
            return;
        }

        Volatile.Write(ref slots.Nodes[found], Tombstone);
        Volatile.Write(ref _live, _live - 1);
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

    /// <summary>The slot of the user key's entry, or -1 with <paramref name="free"/> the slot an insert should take.</summary>
    private static int Find(Slots slots, int hash, byte[] versionKey, out int free)
    {
        free = -1;
        var index = hash & slots.Mask;
        while (true)
        {
            var current = slots.Nodes[index];
            if (current is null)
            {
                if (free < 0)
                {
                    free = index;
                }

                return -1;
            }

            if (ReferenceEquals(current, Tombstone))
            {
                if (free < 0)
                {
                    free = index;
                }
            }
            else if (slots.Hashes[index] == hash && IsSameUserKey(current.Key, versionKey))
            {
                return index;
            }

            index = (index + 1) & slots.Mask;
        }
    }

    private void Rebuild(int capacity)
    {
        // Readers still probing the old slots may miss entries added meanwhile; a miss only sends them to the seek.
        var old = _slots;
        var fresh = new Slots(capacity);
        for (var i = 0; i < old.Nodes.Length; i++)
        {
            var node = old.Nodes[i];
            if (node is null || ReferenceEquals(node, Tombstone))
            {
                continue;
            }

            var index = old.Hashes[i] & fresh.Mask;
            while (fresh.Nodes[index] is not null)
            {
                index = (index + 1) & fresh.Mask;
            }

            fresh.Hashes[index] = old.Hashes[i];
            fresh.Nodes[index] = node;
        }

        Volatile.Write(ref _slots, fresh);
        _used = _live;
    }

    /// <summary>The two parallel arrays, replaced together by a rebuild.</summary>
    private sealed class Slots(int capacity)
    {
        public int[] Hashes { get; } = new int[capacity];

        public SkipListNode?[] Nodes { get; } = new SkipListNode?[capacity];

        public int Mask { get; } = capacity - 1;
    }
}
