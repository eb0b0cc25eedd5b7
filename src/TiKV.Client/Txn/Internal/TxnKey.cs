using TiKV.Client.Internal;
using TiKV.Client.Raw.Internal;

namespace TiKV.Client.Txn.Internal;

/// <summary>A transactional key with its memcomparable encoding (what the region cache locates it by).</summary>
internal sealed record TxnKey(byte[] Raw, byte[] Encoded)
{
    /// <summary>Batches of keys for the request plan: located by encoding, ~16 KiB of key bytes per request.</summary>
    public static readonly BatchShape<TxnKey> Shape = new(static k => k.Encoded, static k => k.Raw.Length, TxnBudgets.CommitBatchBytes, int.MaxValue);

    public static TxnKey From(byte[] raw) => new(raw, TxnKeys.Encode(raw));

    /// <summary>Distinct keys in key order, encoded once.</summary>
    public static TxnKey[] SortedDistinct(IEnumerable<byte[]> keys)
    {
        var sorted = new SortedSet<byte[]>(keys, ByteArrayComparer.Instance);
        var result = new TxnKey[sorted.Count];
        var i = 0;
        foreach (var key in sorted)
        {
            result[i++] = From(key);
        }

        return result;
    }

    public static bool Contains(ArraySegment<TxnKey> keys, byte[] key)
    {
        foreach (var item in keys)
        {
            if (item.Raw.AsSpan().SequenceEqual(key))
            {
                return true;
            }
        }

        return false;
    }
}
