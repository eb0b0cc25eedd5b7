using Google.Protobuf;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// Pessimistic lock waiting (TiKV's lock waiting queues + waiter manager + deadlock detector, in one process).
/// A request that meets another transaction's lock registers here while still holding the key's latch, so a
/// release cannot slip between the conflict and the registration; it then waits without latches. Releasing the
/// lock wakes every waiter on the key; each returns a WriteConflict (PessimisticRetry) and the client retries
/// with a newer for_update_ts, as TiKV does for requests in the legacy wake-up mode. A wait that runs out of
/// time reports the lock it met (KeyIsLocked).
/// </summary>
internal sealed class LockWaitManager
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], List<LockWaiter>> _waiters = new(ByteKeyComparer.Instance);
    private readonly DeadlockDetector _detector = new();
    private readonly TimeProvider _time;
    private int _count;

    public LockWaitManager(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Number of requests currently waiting.</summary>
    public int WaitingCount => Volatile.Read(ref _count);

    /// <summary>
    /// Registers a waiter for the lock of <paramref name="holderTs"/> on the key. Throws a Deadlock error instead
    /// when the holder already waits (directly or transitively) for <paramref name="waiterTs"/>.
    /// </summary>
    public LockWaiter Enqueue(byte[] encodedKey, ByteString rawKey, ulong waiterTs, ulong holderTs, TimeSpan timeout)
    {
        var keyHash = KeyHash.Fingerprint64(rawKey.Span);
        var waiter = new LockWaiter(encodedKey, rawKey, waiterTs, holderTs, keyHash);
        lock (_gate)
        {
            if (!_detector.TryRegister(waiterTs, holderTs, keyHash, rawKey, out var deadlockKey))
            {
                throw MvccErrors.Deadlock(holderTs, rawKey, deadlockKey.Hash, deadlockKey.Key);
            }

            if (!_waiters.TryGetValue(encodedKey, out var list))
            {
                list = [];
                _waiters[encodedKey] = list;
            }

            list.Add(waiter);
            _count++;
        }

        waiter.Timer = _time.CreateTimer(static state => ((LockWaitManager.TimerState)state!).Fire(), new TimerState(this, waiter), timeout, Timeout.InfiniteTimeSpan);
        return waiter;
    }

    /// <summary>Wakes the waiters of every released key.</summary>
    public void WakeUp(List<ReleasedLock>? released)
    {
        if (released is null || released.Count == 0 || Volatile.Read(ref _count) == 0)
        {
            return;
        }

        List<(LockWaiter Waiter, ReleasedLock Released)>? woken = null;
        lock (_gate)
        {
            foreach (var release in released)
            {
                if (!_waiters.Remove(release.EncodedKey, out var list))
                {
                    continue;
                }

                foreach (var waiter in list)
                {
                    _detector.Unregister(waiter.StartTs, waiter.HolderTs, waiter.KeyHash);
                    _count--;
                    (woken ??= []).Add((waiter, release));
                }
            }
        }

        if (woken is null)
        {
            return;
        }

        foreach (var (waiter, release) in woken)
        {
            waiter.Timer?.Dispose();
            waiter.Completion.TrySetResult(new LockWaitOutcome(true, release.StartTs, release.CommitTs));
        }
    }

    /// <summary>Ends a wait without a release (timeout or cancellation).</summary>
    public void Abandon(LockWaiter waiter)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(waiter.EncodedKey, out var list) && list.Remove(waiter))
            {
                _detector.Unregister(waiter.StartTs, waiter.HolderTs, waiter.KeyHash);
                _count--;
                if (list.Count == 0)
                {
                    _waiters.Remove(waiter.EncodedKey);
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
            foreach (var list in _waiters.Values)
            {
                all.AddRange(list);
            }
        }

        foreach (var waiter in all)
        {
            Abandon(waiter);
        }
    }

    private sealed class TimerState(LockWaitManager manager, LockWaiter waiter)
    {
        public void Fire() => manager.Abandon(waiter);
    }
}
