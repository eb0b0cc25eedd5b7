using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>
    /// KvPessimisticLock at for_update_ts. On another transaction's lock the request waits (wait_timeout ms,
    /// 0 = default, negative = no wait, capped by <see cref="TxnEngineOptions.WaitForLockTimeout"/>); a wait that
    /// would close a cycle fails at once with Deadlock. In the normal wake-up mode a released lock ends the wait
    /// with WriteConflict (the client retries with a newer for_update_ts); in force-lock mode the request is
    /// retried here and may lock over a newer write (LockedWithConflict).
    /// </summary>
    public async ValueTask<PessimisticLockResponse> PessimisticLockAsync(PessimisticLockRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new PessimisticLockResponse();
        var forceLock = request.WakeUpMode == PessimisticLockWakeUpMode.WakeUpModeForceLock;
        byte[][] encodedKeys;
        try
        {
            encodedKeys = ValidatePessimisticLock(request, forceLock);
        }
        catch (MvccException ex)
        {
            response.Errors.Add(ex.KeyError);
            return response;
        }

        var deadline = request.WaitTimeout < 0 ? TimeSpan.Zero : WaitTimeout(request.WaitTimeout);
        var waitStarted = _time.GetTimestamp();
        while (true)
        {
            var attempt = await TryAcquirePessimisticLocksAsync(request, encodedKeys, forceLock, deadline - _time.GetElapsedTime(waitStarted), cancellationToken).ConfigureAwait(false);
            if (attempt.Waiter is null)
            {
                FillPessimisticResponse(request, forceLock, attempt, response);
                return response;
            }

            LockWaitOutcome outcome;
            try
            {
                outcome = await attempt.Waiter.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _lockWaits.Abandon(attempt.Waiter);
                throw;
            }

            if (!outcome.Released)
            {
                // Timed out: report the lock that is in the way.
                FillPessimisticFailure(forceLock, request.Mutations.Count, attempt.LockError!, response);
                return response;
            }

            if (!forceLock)
            {
                var waiter = attempt.Waiter;
                response.Errors.Add(MvccErrors.WriteConflict(
                    request.StartVersion,
                    outcome.ReleasedStartTs,
                    outcome.ReleasedCommitTs,
                    waiter.RawKey,
                    request.PrimaryLock,
                    WriteConflict.Types.Reason.PessimisticRetry).KeyError);
                return response;
            }
        }
    }

    /// <summary>KVPessimisticRollback over the whole key space (no region bounds); see the region-bounded overload.</summary>
    public ValueTask<PessimisticRollbackResponse> PessimisticRollbackAsync(PessimisticRollbackRequest request, CancellationToken cancellationToken = default)
        => PessimisticRollbackAsync(request, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>
    /// KVPessimisticRollback: removes the transaction's pessimistic locks taken at or below for_update_ts. Without
    /// keys it removes every such lock in the region [<paramref name="regionStart"/>, <paramref name="regionEnd"/>)
    /// (empty end = unbounded), as TiKV does by scanning the region (PessimisticRollbackReadPhase).
    /// </summary>
    public async ValueTask<PessimisticRollbackResponse> PessimisticRollbackAsync(
        PessimisticRollbackRequest request,
        ReadOnlyMemory<byte> regionStart,
        ReadOnlyMemory<byte> regionEnd,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new PessimisticRollbackResponse();
        var startTs = request.StartVersion;
        var forUpdateTs = request.ForUpdateTs;
        if (request.Keys.Count > 0)
        {
            await RollbackPessimisticLocksAsync(EncodeKeys(request.Keys), startTs, forUpdateTs, cancellationToken).ConfigureAwait(false);
            return response;
        }

        await ForEachLockBatchAsync(
            EncodeBound(regionStart.Span),
            EncodeBound(regionEnd.Span),
            lockRecord => IsRollbackablePessimisticLock(lockRecord, startTs, forUpdateTs),
            (keys, token) => RollbackPessimisticLocksAsync(keys, startTs, forUpdateTs, token),
            cancellationToken).ConfigureAwait(false);
        return response;
    }

    private static bool IsRollbackablePessimisticLock(LockRecord? lockRecord, ulong startTs, ulong forUpdateTs)
        => lockRecord is not null && lockRecord.IsPessimistic && lockRecord.StartTs == startTs && lockRecord.ForUpdateTs <= forUpdateTs;

    private async ValueTask RollbackPessimisticLocksAsync(byte[][] encodedKeys, ulong startTs, ulong forUpdateTs, CancellationToken cancellationToken)
    {
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(startTs, encodedKeys.Length);
        foreach (var encoded in encodedKeys)
        {
            if (IsRollbackablePessimisticLock(_reader.LoadLock(txn, encoded), startTs, forUpdateTs))
            {
                txn.UnlockKey(encoded, 0);
            }
        }

        await ApplyAsync(txn).ConfigureAwait(false);
    }

    private TimeSpan WaitTimeout(long requestedMs)
    {
        var ceiling = _options.WaitForLockTimeout;
        if (requestedMs == 0)
        {
            return ceiling;
        }

        var requested = TimeSpan.FromMilliseconds(requestedMs);
        return requested < ceiling ? requested : ceiling;
    }

    private static byte[][] ValidatePessimisticLock(PessimisticLockRequest request, bool forceLock)
    {
        if (request.StartVersion == 0 || request.ForUpdateTs == 0)
        {
            throw MvccErrors.BadRequest("pessimistic lock: start_version and for_update_ts must be set");
        }

        if (forceLock && request.Mutations.Count > 1)
        {
            throw MvccErrors.BadRequest("multiple keys in a single request with allowed_lock_with_conflict set is not allowed");
        }

        if (request.LockOnlyIfExists && !request.ReturnValues)
        {
            throw MvccErrors.BadRequest($"LockIfExistsFailed {{ start_ts: {request.StartVersion} }}: lock_only_if_exists needs return_values");
        }

        var encoded = new byte[request.Mutations.Count][];
        for (var i = 0; i < encoded.Length; i++)
        {
            var mutation = request.Mutations[i];
            if (mutation.Op != Op.PessimisticLock)
            {
                throw MvccErrors.BadRequest($"Op {mutation.Op} is not supported by pessimistic lock requests (key {Convert.ToHexString(mutation.Key.Span)}).");
            }

            encoded[i] = MvccKey.Encode(mutation.Key.Span);
        }

        return encoded;
    }

    private static void FillPessimisticResponse(PessimisticLockRequest request, bool forceLock, PessimisticAttempt attempt, PessimisticLockResponse response)
    {
        if (attempt.Error is { } error)
        {
            if (forceLock && error.Locked is not null)
            {
                FillPessimisticFailure(forceLock, request.Mutations.Count, error, response);
                return;
            }

            response.Errors.Add(error);
            return;
        }

        var results = attempt.Results!;
        if (forceLock)
        {
            foreach (var result in results)
            {
                response.Results.Add(new PessimisticLockKeyResult
                {
                    Type = result.LockedWithConflictTs != 0 ? PessimisticLockKeyResultType.LockResultLockedWithConflict : PessimisticLockKeyResultType.LockResultNormal,
                    Existence = result.Exists,
                    Value = result.Value is { } v ? UnsafeByteOperations.UnsafeWrap(v) : ByteString.Empty,
                    LockedWithConflictTs = result.LockedWithConflictTs,
                });
            }

            return;
        }

        // Legacy shape: values + not_founds when values were asked for, not_founds alone for existence checks.
        foreach (var result in results)
        {
            if (request.ReturnValues)
            {
                response.Values.Add(result.Value is { } v ? UnsafeByteOperations.UnsafeWrap(v) : ByteString.Empty);
                response.NotFounds.Add(result.Value is null);
            }
            else if (request.CheckExistence)
            {
                response.NotFounds.Add(!result.Exists);
            }
        }
    }

    private static void FillPessimisticFailure(bool forceLock, int keyCount, KeyError error, PessimisticLockResponse response)
    {
        if (forceLock)
        {
            for (var i = 0; i < keyCount; i++)
            {
                response.Results.Add(new PessimisticLockKeyResult { Type = PessimisticLockKeyResultType.LockResultFailed });
            }
        }

        response.Errors.Add(error);
    }
}
