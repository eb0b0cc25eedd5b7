using Google.Protobuf;
using TiKV.Client.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

internal sealed partial class LockResolver
{
    /// <summary>
    /// Async-commit recovery (client-go's resolveAsyncCommitLock/checkAllSecondaries): an async-commit transaction is
    /// committed exactly when every one of its keys got its prewrite lock, at the largest min_commit_ts among them.
    /// CheckSecondaryLocks on all secondaries finds out (and, where a lock is missing, makes sure a late prewrite cannot
    /// land); then every key is resolved to that outcome. Returns null when a lock turns out not to be an async-commit
    /// lock (that part fell back to 2PC), so the caller decides by the primary instead.
    /// </summary>
    private async Task<TxnStatus?> RecoverAsyncCommitAsync(Backoffer backoffer, TxnLock lockInfo, TxnStatus status, CancellationToken cancellationToken)
    {
        var primaryLock = status.PrimaryLock!;
        var secondaries = TxnKey.SortedDistinct(primaryLock.Secondaries.Select(s => s.ToByteArray()));
        var state = new AsyncRecovery(lockInfo.TxnId, primaryLock.MinCommitTs);
        if (secondaries.Length > 0)
        {
            await _txn.Plan.SendAllAsync(
                backoffer,
                secondaries,
                TxnKey.Shape,
                batch =>
                {
                    var request = new CheckSecondaryLocksRequest { StartVersion = lockInfo.TxnId };
                    request.Keys.AddRange(batch.Select(k => ByteString.CopyFrom(k.Raw)));
                    return TxnRequests.CheckSecondaryLocks(request);
                },
                (batch, response) =>
                {
                    if (response.Error is { } error)
                    {
                        throw new KeyException(error, $"CheckSecondaryLocks of transaction {lockInfo.TxnId} failed: {TxnErrors.Describe(error)}");
                    }

                    state.Add(response.Locks, batch.Count, response.CommitTs);
                    return ValueTask.FromResult(false);
                },
                cancellationToken).ConfigureAwait(false);
        }

        if (state.NonAsyncCommitLock)
        {
            return null;
        }

        var final = state.CommitTs != 0 ? TxnStatus.Committed(state.CommitTs) : TxnStatus.RolledBack;
        SaveResolved(lockInfo.TxnId, final);
        TxnLog.AsyncCommitRecovered(_logger, lockInfo.TxnId, final.CommitTs);

        var keys = new SortedSet<byte[]>(ByteArrayComparer.Instance) { lockInfo.Primary };
        keys.UnionWith(secondaries.Select(s => s.Raw));
        await ResolveKeysAsync(backoffer, lockInfo.TxnId, final.CommitTs, TxnKey.SortedDistinct(keys), cancellationToken).ConfigureAwait(false);
        return final;
    }

    /// <summary>ResolveLock with explicit keys, one request per region batch, all in parallel.</summary>
    private async Task ResolveKeysAsync(Backoffer backoffer, ulong txnId, ulong commitTs, TxnKey[] keys, CancellationToken cancellationToken)
    {
        await _txn.Plan.SendAllAsync(
            backoffer,
            keys,
            TxnKey.Shape,
            batch =>
            {
                var request = new ResolveLockRequest { StartVersion = txnId, CommitVersion = commitTs };
                request.Keys.AddRange(batch.Select(k => ByteString.CopyFrom(k.Raw)));
                return TxnRequests.ResolveLock(request);
            },
            (_, response) => response.Error is { } error
                ? throw new KeyException(error, $"ResolveLock of transaction {txnId} failed: {TxnErrors.Describe(error)}")
                : ValueTask.FromResult(false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the CheckSecondaryLocks answers add up to (client-go's asyncResolveData).</summary>
    private sealed class AsyncRecovery
    {
        private readonly object _gate = new();
        private readonly ulong _txnId;
        private bool _missingLock;

        public AsyncRecovery(ulong txnId, ulong primaryMinCommitTs)
        {
            _txnId = txnId;
            CommitTs = primaryMinCommitTs;
        }

        /// <summary>Once a lock is missing: the commit_ts TiKV found (0 = rolled back); before: the largest min_commit_ts.</summary>
        public ulong CommitTs { get; private set; }

        public bool NonAsyncCommitLock { get; private set; }

        public void Add(Google.Protobuf.Collections.RepeatedField<LockInfo> locks, int expected, ulong commitTs)
        {
            lock (_gate)
            {
                if (locks.Count < expected)
                {
                    // A key has no lock: it was committed (commit_ts) or rolled back (0), and so was the whole transaction.
                    if (!_missingLock)
                    {
                        if (commitTs != 0 && commitTs < CommitTs)
                        {
                            throw new TiKVException($"Async-commit recovery of transaction {_txnId}: commit_ts {commitTs} is below min_commit_ts {CommitTs}.", isRetryable: false);
                        }

                        CommitTs = commitTs;
                    }

                    _missingLock = true;
                    if (CommitTs != commitTs)
                    {
                        throw new TiKVException($"Async-commit recovery of transaction {_txnId}: secondaries disagree on the commit_ts ({CommitTs} and {commitTs}).", isRetryable: false);
                    }

                    return;
                }

                foreach (var info in locks)
                {
                    if (info.LockVersion != _txnId)
                    {
                        throw new TiKVException($"Async-commit recovery of transaction {_txnId}: CheckSecondaryLocks returned a lock of transaction {info.LockVersion}.", isRetryable: false);
                    }

                    if (!info.UseAsyncCommit)
                    {
                        NonAsyncCommitLock = true;
                    }
                    else if (!_missingLock && info.MinCommitTs > CommitTs)
                    {
                        CommitTs = info.MinCommitTs;
                    }
                }
            }
        }
    }
}
