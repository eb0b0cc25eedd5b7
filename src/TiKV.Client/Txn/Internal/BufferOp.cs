namespace TiKV.Client.Txn.Internal;

/// <summary>What a transaction did to a key in its write buffer.</summary>
internal enum BufferOp
{
    /// <summary>Nothing written (the key may still be pessimistically locked).</summary>
    None,

    /// <summary>Set to a value.</summary>
    Put,

    /// <summary>Deleted.</summary>
    Delete,

    /// <summary>Set to a value on condition that it does not exist yet (checked by TiKV at prewrite).</summary>
    Insert,

    /// <summary>Locked for a conflict check at commit without writing (optimistic LockKeys).</summary>
    Lock,
}
