namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// The requests waiting for the lock of one key (TiKV's KeyLockWaitState), smallest start_ts first. Guarded by
/// <see cref="LockWaitManager"/>'s lock.
/// </summary>
internal sealed class LockWaitQueue
{
    public LockWaitQueue(byte[] encodedKey)
    {
        EncodedKey = encodedKey;
    }

    /// <summary>The key in lock-CF form.</summary>
    public byte[] EncodedKey { get; }

    /// <summary>Waiters in ascending start_ts order: TiKV wakes the oldest transaction first.</summary>
    public List<LockWaiter> Waiters { get; } = [];

    /// <summary>
    /// Counts wake-ups of legacy-mode waiters on this key. A waiter remembers the count it joined at; the delayed
    /// notify-all only wakes waiters that joined before the latest legacy wake-up.
    /// </summary>
    public int LegacyWakeUpIndex { get; set; }

    /// <summary>start_ts of the lock released last on this key (reported in the delayed waiters' WriteConflict).</summary>
    public ulong LastConflictStartTs { get; set; }

    /// <summary>commit_ts of the lock released last on this key, 0 if it was rolled back.</summary>
    public ulong LastConflictCommitTs { get; set; }

    /// <summary>The pending delayed notify-all, if any.</summary>
    public ITimer? DelayedNotify { get; set; }

    /// <summary>The timestamp (TimeProvider ticks) before which the delayed notify-all must not run.</summary>
    public long NotifyNotBefore { get; set; }

    /// <summary>Inserts keeping start_ts order; equal start_ts keep arrival order.</summary>
    public void Add(LockWaiter waiter)
    {
        var index = Waiters.Count;
        while (index > 0 && Waiters[index - 1].StartTs > waiter.StartTs)
        {
            index--;
        }

        Waiters.Insert(index, waiter);
    }
}
