using System.Globalization;
using Google.Protobuf;
using TiKV.Client.Internal;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Acquires pessimistic locks on a set of keys at one for_update_ts (client-go's actionPessimisticLock in the normal
/// wake-up mode): the batch holding the primary first, then the rest in parallel. TiKV waits for other holders up to
/// the request's wait_timeout; when it gives up it reports the lock, which is then resolved (an abandoned holder is
/// rolled back) and the request repeated, until the caller's lock wait timeout. Returns the keys' latest committed
/// values (return_values), null for absent keys.
/// </summary>
internal sealed class PessimisticLocker
{
    private readonly TxnCore _txn;
    private readonly ulong _startTs;
    private readonly byte[] _primary;
    private readonly ulong _forUpdateTs;
    private readonly ulong _lockTtlMs;
    private readonly bool _isFirstLock;
    private readonly TimeSpan _waitTimeout;
    private readonly long _waitStarted;
    private readonly System.Action _onPrimaryLocked;
    private readonly Dictionary<byte[], byte[]?> _values = new(ByteArrayComparer.Instance);

    public PessimisticLocker(
        TxnCore txn,
        ulong startTs,
        byte[] primary,
        ulong forUpdateTs,
        ulong lockTtlMs,
        bool isFirstLock,
        TimeSpan waitTimeout,
        long waitStarted,
        System.Action onPrimaryLocked)
    {
        _txn = txn;
        _startTs = startTs;
        _primary = primary;
        _forUpdateTs = forUpdateTs;
        _lockTtlMs = lockTtlMs;
        _isFirstLock = isFirstLock;
        _waitTimeout = waitTimeout;
        _waitStarted = waitStarted;
        _onPrimaryLocked = onPrimaryLocked;
    }

    public async Task<Dictionary<byte[], byte[]?>> AcquireAsync(Backoffer backoffer, TxnKey[] keys, CancellationToken cancellationToken)
    {
        var batches = await _txn.Plan.PlanAsync(backoffer, keys, TxnKey.Shape, cancellationToken).ConfigureAwait(false);
        var primaryIndex = batches.FindIndex(b => TxnKey.Contains(b.Batch, _primary));
        if (primaryIndex >= 0)
        {
            await SendAsync(backoffer, batches[primaryIndex], cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(batches.Where((_, i) => i != primaryIndex).Select(b => SendAsync(backoffer, b, cancellationToken))).ConfigureAwait(false);
        return _values;
    }

    private Task SendAsync(Backoffer backoffer, (CachedRegion Region, ArraySegment<TxnKey> Batch) planned, CancellationToken cancellationToken) =>
        _txn.Plan.SendPlannedAsync(
            backoffer,
            planned.Region,
            planned.Batch,
            TxnKey.Shape,
            Build,
            (batch, response) => OnResponseAsync(backoffer, batch, response, cancellationToken),
            cancellationToken);

    private StoreRequest<PessimisticLockResponse> Build(ArraySegment<TxnKey> batch)
    {
        var request = new PessimisticLockRequest
        {
            PrimaryLock = ByteString.CopyFrom(_primary),
            StartVersion = _startTs,
            ForUpdateTs = _forUpdateTs,
            LockTtl = _lockTtlMs,
            IsFirstLock = _isFirstLock,
            WaitTimeout = WaitTimeoutMs(),
            ReturnValues = true,
            MinCommitTs = _forUpdateTs + 1,
            WakeUpMode = PessimisticLockWakeUpMode.WakeUpModeNormal,
        };
        request.Mutations.AddRange(batch.Select(k => new Mutation { Op = Op.PessimisticLock, Key = ByteString.CopyFrom(k.Raw) }));
        return TxnRequests.PessimisticLock(request);
    }

    /// <summary>What is left of the lock wait budget, in TiKV's wait_timeout terms (-1 = do not wait, 0 = TiKV's default).</summary>
    private long WaitTimeoutMs()
    {
        if (_waitTimeout == Timeout.InfiniteTimeSpan)
        {
            return 0;
        }

        var left = _waitTimeout - _txn.Time.GetElapsedTime(_waitStarted);
        return left <= TimeSpan.Zero ? -1 : Math.Max(1, (long)left.TotalMilliseconds);
    }

    private async ValueTask<bool> OnResponseAsync(Backoffer backoffer, ArraySegment<TxnKey> batch, PessimisticLockResponse response, CancellationToken cancellationToken)
    {
        if (response.Errors.Count == 0)
        {
            lock (_values)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var found = i < response.NotFounds.Count ? !response.NotFounds[i] : i < response.Values.Count && !response.Values[i].IsEmpty;
                    _values[batch[i].Raw] = found && i < response.Values.Count ? response.Values[i].ToByteArray() : null;
                }
            }

            if (TxnKey.Contains(batch, _primary))
            {
                // Protect the primary from expiring while the remaining keys are locked (client-go starts the ttlManager here).
                _onPrimaryLocked();
            }

            return false;
        }

        var locks = new List<TxnLock>();
        foreach (var error in response.Errors)
        {
            if (error.Locked is { } locked)
            {
                // A lock updated moments ago belongs to a live transaction: wait again rather than check on it.
                if (locked.DurationToLastUpdateMs is > 0 and < TxnBudgets.SkipResolveThresholdMs)
                {
                    continue;
                }

                locks.Add(TxnLock.From(locked));
                continue;
            }

            throw TxnErrors.FromKeyError(error, "KvPessimisticLock");
        }

        if (locks.Count == 0)
        {
            return true;
        }

        // TiKV already waited: no backoff, but stop once the holder outlives the lock wait timeout.
        var result = await _txn.LockResolver.ResolveAsync(backoffer, 0, locks, forRead: false, cancellationToken).ConfigureAwait(false);
        if (result.MsBeforeExpired > 0 && _waitTimeout != Timeout.InfiniteTimeSpan && _txn.Time.GetElapsedTime(_waitStarted) >= _waitTimeout)
        {
            var holder = locks[0];
            throw new LockWaitTimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"Lock wait timeout ({_waitTimeout.TotalMilliseconds:0} ms) exceeded: key {Convert.ToHexString(holder.Key)} is locked by transaction {holder.TxnId}."),
                holder.Key,
                holder.TxnId);
        }

        return true;
    }
}
