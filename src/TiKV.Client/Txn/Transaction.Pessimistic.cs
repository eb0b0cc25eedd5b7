using TiKV.Client.Internal;
using TiKV.Client.Txn.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class Transaction
{
    /// <summary>
    /// Takes pessimistic locks on the keys this transaction does not hold yet. The first key ever locked becomes the
    /// primary. Each attempt locks at a fresh for_update_ts; when TiKV wakes the request because the holder finished
    /// (a write conflict), the keys are locked again at a newer for_update_ts, as TiDB retries a pessimistic statement,
    /// until the lock wait timeout. A failed call releases what it locked.
    /// </summary>
    private async Task LockCoreAsync(byte[][] keys, CancellationToken cancellationToken)
    {
        EnsureActive();
        var wanted = new List<byte[]>();
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        foreach (var key in keys)
        {
            if (seen.Add(key) && !(_buffer.TryGet(key, out var entry) && entry.Locked))
            {
                wanted.Add(key);
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        var assignedPrimary = false;
        if (_primary is null)
        {
            _primary = wanted[0];
            assignedPrimary = true;
        }

        var primary = _primary;
        var isFirstLock = _forUpdateTs == 0 && wanted.Count == 1;
        var txnKeys = TxnKey.SortedDistinct(wanted);
        var backoffer = _txn.NewBackoffer("KvPessimisticLock", TxnBudgets.PessimisticLock);
        var waitStarted = _txn.Time.GetTimestamp();
        using var activity = Diagnostics.Internal.ClientMetrics.ActivitySource.StartActivity("KvPessimisticLock");
        while (true)
        {
            var forUpdateTs = await _txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
            var lockTtl = (ulong)_txn.Time.GetElapsedTime(_startedAt).TotalMilliseconds + (ulong)_options.ManagedLockTtl.TotalMilliseconds;
            var locker = new PessimisticLocker(_txn, StartTimestamp, primary, forUpdateTs, lockTtl, isFirstLock, _options.LockWaitTimeout, waitStarted, () => StartHeartbeat(primary));
            try
            {
                var values = await locker.AcquireAsync(backoffer, txnKeys, cancellationToken).ConfigureAwait(false);
                foreach (var (key, value) in values)
                {
                    var entry = _buffer.GetOrAdd(key);
                    entry.Locked = true;
                    entry.HasLockedValue = true;
                    entry.LockedValue = value;
                }

                _forUpdateTs = Math.Max(_forUpdateTs, forUpdateTs);
                return;
            }
            catch (WriteConflictException ex) when (ex.Conflict.Reason != WriteConflict.Types.Reason.SelfRolledBack && WithinLockWait(waitStarted))
            {
                // The holder released the key (TiKV's normal wake-up mode answers the waiter with a write conflict), or a
                // newer write beat this for_update_ts: lock again at a fresh one.
            }
            catch
            {
                await ReleaseAsync(txnKeys, forUpdateTs).ConfigureAwait(false);
                if (assignedPrimary)
                {
                    // The primary may have been locked (and its heartbeat started) before the failure: start over.
                    _primary = null;
                    await StopHeartbeatAsync().ConfigureAwait(false);
                }

                throw;
            }
        }
    }

    private bool WithinLockWait(long waitStarted) =>
        _options.LockWaitTimeout == Timeout.InfiniteTimeSpan || _txn.Time.GetElapsedTime(waitStarted) < _options.LockWaitTimeout;

    /// <summary>Best-effort rollback of the locks a failed lock call may have taken; leftovers expire with their TTL.</summary>
    private async Task ReleaseAsync(TxnKey[] keys, ulong forUpdateTs)
    {
        try
        {
            var backoffer = _txn.NewBackoffer("KvPessimisticRollback", TxnBudgets.Cleanup);
            await TwoPhaseCommitter.PessimisticRollbackAsync(_txn, backoffer, StartTimestamp, forUpdateTs, keys, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TiKVException or ObjectDisposedException)
        {
            TxnLog.CleanupFailed(_txn.Logger, StartTimestamp, ex.Message);
        }
    }
}
