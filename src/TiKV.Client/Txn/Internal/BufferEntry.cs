namespace TiKV.Client.Txn.Internal;

/// <summary>One key of a transaction's write buffer: its pending write and its pessimistic lock, if any.</summary>
internal sealed class BufferEntry
{
    public BufferOp Op { get; set; }

    public byte[] Value { get; set; } = [];

    /// <summary>Held by a pessimistic lock of this transaction.</summary>
    public bool Locked { get; set; }

    /// <summary>The lock returned the key's latest committed value (<see cref="LockedValue"/>, null = absent).</summary>
    public bool HasLockedValue { get; set; }

    public byte[]? LockedValue { get; set; }

    /// <summary>
    /// Whether the buffer decides what a read of this key sees, and what: the pending write, else the value read when
    /// the key was locked; otherwise the read goes to the snapshot.
    /// </summary>
    public bool TryRead(out byte[]? value)
    {
        switch (Op)
        {
            case BufferOp.Put:
            case BufferOp.Insert:
                value = Value;
                return true;
            case BufferOp.Delete:
                value = null;
                return true;
        }

        value = LockedValue;
        return HasLockedValue;
    }
}
