using Google.Protobuf;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// Pessimistic lock waiting (TiKV's lock waiting queues + waiter manager + deadlock detector, in one process).
/// A request that meets another transaction's lock registers here while still holding the key's latch, so a
/// release cannot slip between the conflict and the registration; it then waits without latches.
/// <para>
/// Like TiKV's LockWaitQueues, releasing a lock wakes only the waiter with the smallest start_ts. A legacy-mode
/// waiter then ends with WriteConflict (PessimisticRetry) and its client retries with a newer for_update_ts;
/// since it may never lock the key again, the others are woken the same way after a short delay
/// (wake-up-delay-duration), unless a newer wake-up on the key pushes the delay further. A force-lock waiter
/// (resumable) instead retries locking at once and the others keep waiting for its lock. A wait that runs out of
/// time reports the lock it met (KeyIsLocked).
/// </para>
/// </summary>
internal sealed class LockWaitManager
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], LockWaitQueue> _queues = new(ByteKeyComparer.Instance);
    private readonly DeadlockDetector _detector = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _wakeUpDelay;
    private int _count;

    public LockWaitManager(TimeProvider time, TimeSpan wakeUpDelay)
    {
        _time = time;
        _wakeUpDelay = wakeUpDelay;
    }

    /// <summary>Number of requests currently waiting.</summary>
    public int WaitingCount => Volatile.Read(ref _count);

    /// <summary>
    /// Registers a waiter for the lock of <paramref name="holderTs"/> on the key. Throws a Deadlock error instead
    /// when the holder already waits (directly or transitively) for <paramref name="waiterTs"/>.
    /// </summary>
    public LockWaiter Enqueue(byte[] encodedKey, ByteString rawKey, ulong waiterTs, ulong holderTs, TimeSpan timeout, bool resumable)
    {
        var keyHash = KeyHash.Fingerprint64(rawKey.Span);
        var waiter = new LockWaiter(encodedKey, rawKey, waiterTs, holderTs, keyHash, resumable);
        lock (_gate)
        {
            if (!_detector.TryRegister(waiterTs, holderTs, keyHash, rawKey, out var deadlockKey))
            {
                throw MvccErrors.Deadlock(holderTs, rawKey, deadlockKey.Hash, deadlockKey.Key);
            }

            if (!_queues.TryGetValue(encodedKey, out var queue))
            {
                queue = new LockWaitQueue(encodedKey);
                _queues[encodedKey] = queue;
            }

            waiter.LegacyWakeUpIndex = queue.LegacyWakeUpIndex;
            queue.Add(waiter);
            _count++;

            // Armed under the lock, so a wake-up can never see the waiter without its timer and leave it running.
            waiter.Timer = _time.CreateTimer(static state => ((TimerState)state!).Fire(), new TimerState(this, waiter), timeout, Timeout.InfiniteTimeSpan);
        }

        return waiter;
    }

    /// <summary>Wakes the first waiter of every key <paramref name="txn"/> released (see the class remarks for the others).</summary>
    public void WakeUp(MvccTxn txn)
    {
        if (txn.ReleasedCount == 0 || Volatile.Read(ref _count) == 0)
        {
            return;
        }

        List<(LockWaiter Waiter, LockWaitOutcome Outcome)>? woken = null;
        lock (_gate)
        {
            for (var i = 0; i < txn.ReleasedCount; i++)
            {
                var release = txn.ReleasedAt(i);
                if (!_queues.TryGetValue(release.EncodedKey, out var queue))
                {
                    continue;
                }

                queue.LastConflictStartTs = release.StartTs;
                queue.LastConflictCommitTs = release.CommitTs;
                var first = queue.Waiters[0];
                RemoveLocked(queue, 0);
                (woken ??= []).Add((first, new LockWaitOutcome(true, release.StartTs, release.CommitTs)));
                if (!first.Resumable)
                {
                    queue.LegacyWakeUpIndex++;
                    if (queue.Waiters.Count > 0)
                    {
                        ScheduleDelayedNotifyLocked(queue);
                    }
                }

                DropIfEmptyLocked(queue);
            }
        }

        Complete(woken);
    }

    /// <summary>Ends a wait without a release (timeout or cancellation).</summary>
    public void Abandon(LockWaiter waiter)
    {
        lock (_gate)
        {
            if (_queues.TryGetValue(waiter.EncodedKey, out var queue))
            {
                var index = queue.Waiters.IndexOf(waiter);
                if (index >= 0)
                {
                    RemoveLocked(queue, index);
                    DropIfEmptyLocked(queue);
                }
            }
        }

        waiter.Timer?.Dispose();
        waiter.Completion.TrySetResult(new LockWaitOutcome(false, 0, 0));
    }

    /// <summary>Ends all waits, e.g. when the store shuts down.</summary>
    public void AbandonAll()
    {
        List<LockWaiter> all = [];
        lock (_gate)
        {
            foreach (var queue in _queues.Values)
            {
                all.AddRange(queue.Waiters);
            }
        }

        foreach (var waiter in all)
        {
            Abandon(waiter);
        }
    }

    private static void Complete(List<(LockWaiter Waiter, LockWaitOutcome Outcome)>? woken)
    {
        if (woken is null)
        {
            return;
        }

        foreach (var (waiter, outcome) in woken)
        {
            waiter.Timer?.Dispose();
            waiter.Completion.TrySetResult(outcome);
        }
    }

    /// <summary>Arms the queue's delayed notify-all, or pushes an armed one back to a full delay from now.</summary>
    private void ScheduleDelayedNotifyLocked(LockWaitQueue queue)
    {
        queue.NotifyNotBefore = _time.GetTimestamp() + (long)(_wakeUpDelay.TotalSeconds * _time.TimestampFrequency);
        if (queue.DelayedNotify is { } timer)
        {
            timer.Change(_wakeUpDelay, Timeout.InfiniteTimeSpan);
            return;
        }

        queue.DelayedNotify = _time.CreateTimer(
            static state => ((DelayedNotifyState)state!).Fire(),
            new DelayedNotifyState(this, queue),
            _wakeUpDelay,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// TiKV's delayed_notify_all: wakes, oldest first, the waiters that joined before the latest legacy wake-up,
    /// each with the last release as its WriteConflict; stops after waking a resumable waiter, which retries.
    /// </summary>
    private void DelayedNotifyAll(LockWaitQueue queue)
    {
        List<(LockWaiter Waiter, LockWaitOutcome Outcome)>? woken = null;
        lock (_gate)
        {
            if (queue.DelayedNotify is not { } timer)
            {
                // Dropped meanwhile: the queue emptied.
                return;
            }

            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), queue.NotifyNotBefore);
            if (remaining > TimeSpan.Zero)
            {
                // A wake-up pushed the delay back while this callback was on its way.
                timer.Change(remaining, Timeout.InfiniteTimeSpan);
                return;
            }

            queue.DelayedNotify = null;
            timer.Dispose();
            var outcome = new LockWaitOutcome(true, queue.LastConflictStartTs, queue.LastConflictCommitTs);
            while (queue.Waiters.Count > 0 && queue.Waiters[0].LegacyWakeUpIndex < queue.LegacyWakeUpIndex)
            {
                var first = queue.Waiters[0];
                RemoveLocked(queue, 0);
                (woken ??= []).Add((first, outcome));
                if (first.Resumable)
                {
                    break;
                }
            }

            DropIfEmptyLocked(queue);
        }

        Complete(woken);
    }

    private void RemoveLocked(LockWaitQueue queue, int index)
    {
        var waiter = queue.Waiters[index];
        queue.Waiters.RemoveAt(index);
        _detector.Unregister(waiter.StartTs, waiter.HolderTs, waiter.KeyHash);
        _count--;
    }

    private void DropIfEmptyLocked(LockWaitQueue queue)
    {
        if (queue.Waiters.Count > 0)
        {
            return;
        }

        queue.DelayedNotify?.Dispose();
        queue.DelayedNotify = null;

        // A timer callback can still arrive for a queue already replaced by a newer one of the same key.
        if (_queues.TryGetValue(queue.EncodedKey, out var current) && ReferenceEquals(current, queue))
        {
            _queues.Remove(queue.EncodedKey);
        }
    }

    private sealed class TimerState(LockWaitManager manager, LockWaiter waiter)
    {
        public void Fire() => manager.Abandon(waiter);
    }

    private sealed class DelayedNotifyState(LockWaitManager manager, LockWaitQueue queue)
    {
        public void Fire() => manager.DelayedNotifyAll(queue);
    }
}
