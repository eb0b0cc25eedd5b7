using TiKV.Client.Raw.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>One mutation the committer prewrites and commits.</summary>
internal sealed record TxnMutation(byte[] Key, byte[] Encoded, Op Op, byte[] Value, bool PessimisticLocked)
{
    /// <summary>Prewrite batches: ~16 KiB of keys and values per request to one region (client-go's keyValueSize).</summary>
    public static readonly BatchShape<TxnMutation> PrewriteShape = new(static m => m.Encoded, static m => m.Key.Length + m.Value.Length, TxnBudgets.CommitBatchBytes, int.MaxValue);

    /// <summary>Commit and rollback batches: ~16 KiB of keys per request (client-go's keySize).</summary>
    public static readonly BatchShape<TxnMutation> KeyShape = new(static m => m.Encoded, static m => m.Key.Length, TxnBudgets.CommitBatchBytes, int.MaxValue);

    public static bool Contains(ArraySegment<TxnMutation> batch, byte[] key)
    {
        foreach (var mutation in batch)
        {
            if (mutation.Key.AsSpan().SequenceEqual(key))
            {
                return true;
            }
        }

        return false;
    }
}
