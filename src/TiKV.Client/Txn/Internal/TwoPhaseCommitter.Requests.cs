using Google.Protobuf;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

internal sealed partial class TwoPhaseCommitter
{
    /// <summary>
    /// Prewrites every mutation: the primary's batch first (so a conflict there stops the rest early and no secondary
    /// lock ever points at a primary that was never written), then all other batches in parallel.
    /// </summary>
    private async Task PrewriteAsync(CancellationToken cancellationToken)
    {
        var backoffer = _txn.NewBackoffer("KvPrewrite", TxnBudgets.Prewrite);
        var batches = await _txn.Plan.PlanAsync(backoffer, _mutations, TxnMutation.PrewriteShape, cancellationToken).ConfigureAwait(false);
        if (batches.Count > 1)
        {
            lock (_gate)
            {
                if (_onePc)
                {
                    _onePc = false;
                    TxnLog.ProtocolFallback(_txn.Logger, _startTs, "1PC", "the mutations span more than one request");
                }
            }
        }

        var primaryIndex = batches.FindIndex(b => TxnMutation.Contains(b.Batch, _primary));
        if (primaryIndex >= 0)
        {
            await SendPrewriteAsync(backoffer, batches[primaryIndex], cancellationToken).ConfigureAwait(false);
        }

        var rest = new List<Task>(batches.Count);
        for (var i = 0; i < batches.Count; i++)
        {
            if (i != primaryIndex)
            {
                rest.Add(SendPrewriteAsync(backoffer, batches[i], cancellationToken));
            }
        }

        await Task.WhenAll(rest).ConfigureAwait(false);
    }

    private Task SendPrewriteAsync(Backoffer backoffer, (CachedRegion Region, ArraySegment<TxnMutation> Batch) planned, CancellationToken cancellationToken) =>
        _txn.Plan.SendPlannedAsync(
            backoffer,
            planned.Region,
            planned.Batch,
            TxnMutation.PrewriteShape,
            BuildPrewrite,
            (batch, response) => OnPrewriteResponseAsync(backoffer, batch, response, cancellationToken),
            cancellationToken);

    private StoreRequest<PrewriteResponse> BuildPrewrite(ArraySegment<TxnMutation> batch)
    {
        var isPrimary = TxnMutation.Contains(batch, _primary);
        var request = new PrewriteRequest
        {
            PrimaryLock = ByteString.CopyFrom(_primary),
            StartVersion = _startTs,
            LockTtl = _lockTtl,
            TxnSize = (ulong)_mutations.Length,
            ForUpdateTs = _forUpdateTs,
        };
        foreach (var mutation in batch)
        {
            request.Mutations.Add(new Mutation { Op = mutation.Op, Key = ByteString.CopyFrom(mutation.Key), Value = ByteString.CopyFrom(mutation.Value) });
            if (_pessimistic)
            {
                request.PessimisticActions.Add(mutation.PessimisticLocked
                    ? PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck
                    : PrewriteRequest.Types.PessimisticAction.SkipPessimisticCheck);
            }
        }

        lock (_gate)
        {
            // min_commit_ts above start_ts (and for_update_ts) lets readers push it instead of waiting (client-go's buildPrewriteRequest).
            var minCommitTs = _minCommitTs;
            if (_forUpdateTs > 0 && _forUpdateTs >= minCommitTs)
            {
                minCommitTs = _forUpdateTs + 1;
            }
            else if (_startTs >= minCommitTs)
            {
                minCommitTs = _startTs + 1;
            }

            request.MinCommitTs = minCommitTs;
            if (_asyncCommit || _onePc)
            {
                request.MaxCommitTs = _maxCommitTs;
            }

            if (_asyncCommit)
            {
                request.UseAsyncCommit = true;
                if (isPrimary)
                {
                    foreach (var mutation in _mutations)
                    {
                        if (!mutation.Key.AsSpan().SequenceEqual(_primary))
                        {
                            request.Secondaries.Add(ByteString.CopyFrom(mutation.Key));
                        }
                    }
                }
            }

            request.TryOnePc = _onePc && batch.Count == _mutations.Length;
        }

        return TxnRequests.Prewrite(request, idempotent: !request.UseAsyncCommit && !request.TryOnePc);
    }

    /// <summary>
    /// A prewrite answer: record min_commit_ts / one_pc_commit_ts, or fail on a conflict, or resolve the locks in the
    /// way (backing off while their owners live) and ask for the batch to be sent again.
    /// </summary>
    private async ValueTask<bool> OnPrewriteResponseAsync(Backoffer backoffer, ArraySegment<TxnMutation> batch, PrewriteResponse response, CancellationToken cancellationToken)
    {
        if (response.Errors.Count == 0)
        {
            OnPrewriteSucceeded(batch, response);
            return false;
        }

        var locks = new List<TxnLock>();
        foreach (var error in response.Errors)
        {
            if (error.Locked is { } locked)
            {
                var lockInfo = TxnLock.From(locked);
                if (lockInfo.TxnId > _startTs && !_pessimistic)
                {
                    // An optimistic transaction can never commit over a newer transaction's lock (client-go's early write conflict).
                    throw TxnErrors.NewerLock(_startTs, lockInfo, "KvPrewrite");
                }

                locks.Add(lockInfo);
                continue;
            }

            throw TxnErrors.FromKeyError(error, "KvPrewrite");
        }

        var result = await _txn.LockResolver.ResolveAsync(backoffer, _startTs, locks, forRead: false, cancellationToken).ConfigureAwait(false);
        if (result.MsBeforeExpired > 0)
        {
            var cause = new TiKVException($"Prewrite of transaction {_startTs} is blocked by the {locks[0]}", isRetryable: true);
            await backoffer.BackoffAsync(BackoffKind.TxnLock, cause, null, null, TimeSpan.FromMilliseconds(result.MsBeforeExpired), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private void OnPrewriteSucceeded(ArraySegment<TxnMutation> batch, PrewriteResponse response)
    {
        var startHeartbeat = false;
        lock (_gate)
        {
            if (TxnMutation.Contains(batch, _primary) && _size > _options.HeartbeatTxnSize && response.OnePcCommitTs == 0)
            {
                startHeartbeat = true;
            }

            if (_onePc)
            {
                if (response.OnePcCommitTs != 0)
                {
                    _onePcCommitTs = response.OnePcCommitTs;
                    return;
                }

                _onePc = false;
                if (batch.Count == _mutations.Length)
                {
                    // TiKV declined 1PC and left ordinary locks: finish with two-phase commit.
                    _asyncCommit = false;
                    TxnLog.ProtocolFallback(_txn.Logger, _startTs, "1PC", "TiKV did not commit at prewrite");
                }
                else
                {
                    TxnLog.ProtocolFallback(_txn.Logger, _startTs, "1PC", "a region split divided the mutations");
                }
            }

            if (_asyncCommit)
            {
                if (response.MinCommitTs == 0)
                {
                    _asyncCommit = false;
                    TxnLog.ProtocolFallback(_txn.Logger, _startTs, "async commit", "TiKV returned no min_commit_ts");
                }
                else if (response.MinCommitTs > _minCommitTs)
                {
                    _minCommitTs = response.MinCommitTs;
                }
            }
        }

        if (startHeartbeat)
        {
            _onPrimaryPrewritten();
        }
    }

    private StoreRequest<CommitResponse> BuildCommit(ArraySegment<TxnMutation> batch)
    {
        var isPrimary = TxnMutation.Contains(batch, _primary);
        bool asyncCommit;
        lock (_gate)
        {
            asyncCommit = _asyncCommit;
        }

        var request = new CommitRequest
        {
            StartVersion = _startTs,
            CommitVersion = Volatile.Read(ref _commitTs),
            PrimaryKey = ByteString.CopyFrom(_primary),
            CommitRole = isPrimary ? CommitRole.Primary : CommitRole.Secondary,
            UseAsyncCommit = asyncCommit,
        };
        request.Keys.AddRange(batch.Select(m => ByteString.CopyFrom(m.Key)));

        // Committing the primary of a 2PC transaction is the commit point: if its answer is lost, the outcome is unknown.
        return TxnRequests.Commit(request, idempotent: !isPrimary || asyncCommit);
    }

    private async ValueTask<bool> OnCommitResponseAsync(ArraySegment<TxnMutation> batch, CommitResponse response, CancellationToken cancellationToken)
    {
        var isPrimary = TxnMutation.Contains(batch, _primary);
        if (response.Error is { } error)
        {
            if (error.CommitTsExpired is { } expired && isPrimary && expired.Key.Span.SequenceEqual(_primary))
            {
                // A reader pushed min_commit_ts past our commit_ts: commit with a newer one.
                if (expired.MinCommitTs - expired.AttemptedCommitTs > MaxCommitTsLead)
                {
                    throw new TiKVException($"Transaction {_startTs}: min_commit_ts {expired.MinCommitTs} is too far ahead of commit_ts {expired.AttemptedCommitTs}.", isRetryable: false);
                }

                TxnLog.CommitTsExpired(_txn.Logger, _startTs, expired.AttemptedCommitTs, expired.MinCommitTs);
                Volatile.Write(ref _commitTs, await _txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false));
                return true;
            }

            throw TxnErrors.FromKeyError(error, isPrimary ? "KvCommit (primary)" : "KvCommit");
        }

        if (isPrimary)
        {
            Volatile.Write(ref _primaryCommitted, true);
        }

        return false;
    }

    /// <summary>
    /// Rolls back whatever the failed commit locked (client-go's cleanup): BatchRollback of every key, or — for a
    /// pessimistic 1PC attempt, which writes no prewrite locks — a pessimistic rollback. Errors are logged: readers
    /// resolve leftover locks once their TTL expires.
    /// </summary>
    private async Task CleanupAsync()
    {
        try
        {
            var backoffer = _txn.NewBackoffer("Cleanup", TxnBudgets.Cleanup);
            bool onePc;
            lock (_gate)
            {
                onePc = _onePc;
            }

            if (onePc)
            {
                if (_pessimistic)
                {
                    var locked = _mutations.Where(m => m.PessimisticLocked).Select(m => new TxnKey(m.Key, m.Encoded)).ToArray();
                    await PessimisticRollbackAsync(_txn, backoffer, _startTs, _forUpdateTs, locked, CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }

            await _txn.Plan.SendAllAsync(
                backoffer,
                _mutations,
                TxnMutation.KeyShape,
                batch =>
                {
                    var request = new BatchRollbackRequest { StartVersion = _startTs };
                    request.Keys.AddRange(batch.Select(m => ByteString.CopyFrom(m.Key)));
                    return TxnRequests.BatchRollback(request);
                },
                (_, response) => response.Error is { } error
                    ? throw TxnErrors.FromKeyError(error, "KvBatchRollback")
                    : ValueTask.FromResult(false),
                CancellationToken.None).ConfigureAwait(false);
            TxnLog.CleanupFinished(_txn.Logger, _startTs);
        }
        catch (Exception ex) when (ex is TiKVException or ObjectDisposedException or OperationCanceledException)
        {
            TxnLog.CleanupFailed(_txn.Logger, _startTs, ex.Message);
        }
    }

    /// <summary>Removes pessimistic locks of a transaction taken at or below <paramref name="forUpdateTs"/>.</summary>
    public static async Task PessimisticRollbackAsync(TxnCore txn, Backoffer backoffer, ulong startTs, ulong forUpdateTs, TxnKey[] keys, CancellationToken cancellationToken)
    {
        if (keys.Length == 0)
        {
            return;
        }

        await txn.Plan.SendAllAsync(
            backoffer,
            keys,
            TxnKey.Shape,
            batch =>
            {
                var request = new PessimisticRollbackRequest { StartVersion = startTs, ForUpdateTs = forUpdateTs };
                request.Keys.AddRange(batch.Select(k => ByteString.CopyFrom(k.Raw)));
                return TxnRequests.PessimisticRollback(request);
            },
            (_, response) => response.Errors.Count > 0
                ? throw TxnErrors.FromKeyError(response.Errors[0], "KvPessimisticRollback")
                : ValueTask.FromResult(false),
            cancellationToken).ConfigureAwait(false);
    }
}
