using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

/// <summary>
/// TiKV's deadlock detector found that waiting for a pessimistic lock would close a cycle of waiting transactions
/// (kvrpcpb.Deadlock). This transaction was chosen to give way: roll it back and run it again.
/// </summary>
public sealed class DeadlockException : KeyException
{
    /// <summary>Creates the exception from the store's key error.</summary>
    public DeadlockException(KeyError keyError, string message)
        : base(keyError, message)
    {
        Deadlock = keyError.Deadlock ?? throw new ArgumentException("The key error carries no deadlock.", nameof(keyError));
    }

    /// <summary>The deadlock as the store reported it.</summary>
    public Deadlock Deadlock { get; }

    /// <summary>The start_ts of the transaction holding the lock this one waited for.</summary>
    public ulong LockTimestamp => Deadlock.LockTs;

    /// <inheritdoc />
    public override bool IsRetryable => true;
}
