namespace TiKV.DevCluster.Mvcc;

/// <summary>Tuning of <see cref="TxnEngine"/>; defaults follow TiKV's.</summary>
internal sealed class TxnEngineOptions
{
    /// <summary>Number of latch slots (a power of two). Default 16384.</summary>
    public int LatchSlots { get; init; } = 16384;

    /// <summary>
    /// Ceiling and default of a pessimistic lock wait (TiKV's pessimistic-txn.wait-for-lock-timeout, 1 s): a request
    /// asking for longer, or for the default (wait_timeout = 0), waits this long before reporting KeyIsLocked.
    /// </summary>
    public TimeSpan WaitForLockTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after a legacy-mode waiter is woken the other waiters on the key are woken too (TiKV's
    /// pessimistic-txn.wake-up-delay-duration, 20 ms): the first one gets the chance to lock the key again before
    /// the rest retry.
    /// </summary>
    public TimeSpan WakeUpDelay { get; init; } = TimeSpan.FromMilliseconds(20);
}
