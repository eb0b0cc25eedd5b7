using System.Diagnostics.CodeAnalysis;
using TiKV.Client.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// A transaction's pending writes and locks in key order (client-go's MemDB, minus its staging). Reads consult it
/// before the snapshot; the commit turns it into mutations. Not thread-safe: a transaction is used by one caller at a time.
/// </summary>
internal sealed class WriteBuffer
{
    private readonly SortedDictionary<byte[], BufferEntry> _entries = new(ByteArrayComparer.Instance);

    public int Count => _entries.Count;

    public bool TryGet(byte[] key, [MaybeNullWhen(false)] out BufferEntry entry) => _entries.TryGetValue(key, out entry);

    public BufferEntry GetOrAdd(byte[] key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = new BufferEntry();
            _entries.Add(key, entry);
        }

        return entry;
    }

    /// <summary>The entries with keys in [lower, upper) (empty upper = unbounded), ascending or descending.</summary>
    public List<KeyValuePair<byte[], BufferEntry>> Range(byte[] lower, byte[] upper, bool descending)
    {
        var result = new List<KeyValuePair<byte[], BufferEntry>>();
        foreach (var pair in _entries)
        {
            if (pair.Key.AsSpan().SequenceCompareTo(lower) < 0)
            {
                continue;
            }

            if (upper.Length != 0 && pair.Key.AsSpan().SequenceCompareTo(upper) >= 0)
            {
                break;
            }

            result.Add(pair);
        }

        if (descending)
        {
            result.Reverse();
        }

        return result;
    }

    /// <summary>Keys held by this transaction's pessimistic locks, in key order.</summary>
    public List<byte[]> LockedKeys() => [.. _entries.Where(e => e.Value.Locked).Select(e => e.Key)];

    /// <summary>
    /// The mutations to commit, in key order: writes as Put/Del/Insert, optimistic locks and pessimistically locked
    /// keys that were not written as Lock (so the commit releases them and checks them for conflicts).
    /// </summary>
    public TxnMutation[] Mutations(bool pessimistic)
    {
        var result = new List<TxnMutation>(_entries.Count);
        foreach (var (key, entry) in _entries)
        {
            Op op;
            switch (entry.Op)
            {
                case BufferOp.Put:
                    op = Op.Put;
                    break;
                case BufferOp.Delete:
                    op = Op.Del;
                    break;
                case BufferOp.Insert:
                    // A pessimistic lock already proved the key absent and keeps it so; TiKV need not check again.
                    op = pessimistic && entry.Locked ? Op.Put : Op.Insert;
                    break;
                case BufferOp.Lock:
                    op = Op.Lock;
                    break;
                default:
                    if (!entry.Locked)
                    {
                        continue;
                    }

                    op = Op.Lock;
                    break;
            }

            var value = op is Op.Put or Op.Insert ? entry.Value : [];
            result.Add(new TxnMutation(key, TxnKeys.Encode(key), op, value, pessimistic && entry.Locked));
        }

        return [.. result];
    }
}
