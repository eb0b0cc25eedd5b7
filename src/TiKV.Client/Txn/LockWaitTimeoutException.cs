namespace TiKV.Client;

/// <summary>
/// A pessimistic lock could not be acquired within <see cref="TransactionOptions.LockWaitTimeout"/> because another
/// live transaction holds it (client-go's ErrLockWaitTimeout).
/// </summary>
public sealed class LockWaitTimeoutException : TiKVException
{
    /// <summary>Creates the exception.</summary>
    public LockWaitTimeoutException(string message, byte[] key, ulong holderStartTimestamp)
        : base(message)
    {
        Key = key;
        HolderStartTimestamp = holderStartTimestamp;
    }

    /// <summary>The key that stayed locked.</summary>
    public byte[] Key { get; }

    /// <summary>The start_ts of the transaction holding it.</summary>
    public ulong HolderStartTimestamp { get; }

    /// <inheritdoc />
    public override bool IsRetryable => true;
}
