using TiKV.Client.Locate.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Retry.Internal;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Commits one transaction's mutations with Percolator's two-phase commit, as client-go's twoPhaseCommitter does:
/// prewrite every mutation (the primary's batch first, the rest in parallel), take a commit_ts, commit the primary —
/// the commit point — and commit the secondaries in the background. With async commit the transaction is committed
/// once every prewrite succeeded (commit_ts = the largest min_commit_ts); with 1PC TiKV commits it at prewrite. A
/// failure before the commit point rolls the locks back in the background; a lost answer to the commit point
/// surfaces as <see cref="UndeterminedResultException"/>.
/// </summary>
internal sealed partial class TwoPhaseCommitter
{
    /// <summary>client-go refuses to chase a min_commit_ts more than an hour ahead (3600000 &lt;&lt; 18).</summary>
    private const ulong MaxCommitTsLead = 3_600_000UL << TsoMath.LogicalBits;

    private readonly TxnCore _txn;
    private readonly TxnMutation[] _mutations;
    private readonly byte[] _primary;
    private readonly ulong _startTs;
    private readonly ulong _forUpdateTs;
    private readonly bool _pessimistic;
    private readonly TransactionOptions _options;
    private readonly long _startedAt;
    private readonly long _size;
    private readonly Action _onPrimaryPrewritten;
    private readonly object _gate = new();
    private ulong _lockTtl;
    private bool _asyncCommit;
    private bool _onePc;
    private ulong _minCommitTs;
    private ulong _maxCommitTs;
    private ulong _onePcCommitTs;
    private ulong _commitTs;
    private bool _primaryCommitted;

    /// <param name="txn">The client's transactional core.</param>
    /// <param name="startTs">The transaction's start_ts.</param>
    /// <param name="startedAt">When the transaction began (<see cref="TimeProvider.GetTimestamp"/>), for the lock TTL.</param>
    /// <param name="mutations">The mutations, sorted by key.</param>
    /// <param name="primary">The primary key (one of the mutations).</param>
    /// <param name="pessimistic">Whether the transaction is pessimistic.</param>
    /// <param name="forUpdateTs">The largest for_update_ts of its pessimistic locks (0 for optimistic transactions).</param>
    /// <param name="options">The transaction's options.</param>
    /// <param name="onPrimaryPrewritten">Starts the TTL heartbeat of a large transaction once its primary is locked.</param>
    public TwoPhaseCommitter(
        TxnCore txn,
        ulong startTs,
        long startedAt,
        TxnMutation[] mutations,
        byte[] primary,
        bool pessimistic,
        ulong forUpdateTs,
        TransactionOptions options,
        Action onPrimaryPrewritten)
    {
        _txn = txn;
        _startTs = startTs;
        _startedAt = startedAt;
        _mutations = mutations;
        _primary = primary;
        _pessimistic = pessimistic;
        _forUpdateTs = forUpdateTs;
        _options = options;
        _onPrimaryPrewritten = onPrimaryPrewritten;
        _size = mutations.Sum(m => (long)m.Key.Length + m.Value.Length);
    }

    /// <summary>Background work left by the commit: committing secondaries, or rolling back after a failure.</summary>
    public Task Background { get; private set; } = Task.CompletedTask;

    /// <summary>The protocol the commit ended up using: "1pc", "async_commit" or "2pc".</summary>
    public string Protocol
    {
        get
        {
            lock (_gate)
            {
                return _onePc ? "1pc" : _asyncCommit ? "async_commit" : "2pc";
            }
        }
    }

    private TimeSpan Elapsed => _txn.Time.GetElapsedTime(_startedAt);

    /// <summary>Runs the commit up to <paramref name="stage"/>; returns the commit_ts (0 when stopped before one exists).</summary>
    public async Task<ulong> ExecuteAsync(CommitStage stage, CancellationToken cancellationToken)
    {
        var started = _txn.Time.GetTimestamp();
        try
        {
            var commitTs = await ExecuteCoreAsync(stage, cancellationToken).ConfigureAwait(false);
            TxnMetrics.RecordCommit(Protocol, "committed", _txn.Time.GetElapsedTime(started));
            return commitTs;
        }
        catch (Exception ex)
        {
            var result = ex switch
            {
                UndeterminedResultException => "undetermined",
                WriteConflictException => "conflict",
                _ => "failed",
            };
            TxnMetrics.RecordCommit(Protocol, result, _txn.Time.GetElapsedTime(started));
            throw;
        }
    }

    private async Task<ulong> ExecuteCoreAsync(CommitStage stage, CancellationToken cancellationToken)
    {
        try
        {
            await PrepareAsync(cancellationToken).ConfigureAwait(false);
            await PrewriteAsync(cancellationToken).ConfigureAwait(false);
            if (stage == CommitStage.Prewrite)
            {
                return 0;
            }

            bool onePc, asyncCommit;
            lock (_gate)
            {
                onePc = _onePc;
                asyncCommit = _asyncCommit;
            }

            if (onePc)
            {
                return _onePcCommitTs;
            }

            if (asyncCommit)
            {
                // Committed the moment every prewrite succeeded; the commit requests only release the locks.
                _commitTs = _minCommitTs;
                if (stage == CommitStage.All)
                {
                    Background = CommitInBackgroundAsync(_mutations, "KvCommit (async commit)");
                }

                return _commitTs;
            }

            _commitTs = await _txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
            return await CommitPrimaryAsync(stage, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not UndeterminedResultException && !Volatile.Read(ref _primaryCommitted))
        {
            Background = CleanupAsync();
            throw;
        }
    }

    /// <summary>Chooses the protocol and the lock TTL (client-go's checkAsyncCommit, checkOnePC, calculateMaxCommitTS).</summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var keyBytes = _mutations.Sum(m => (long)m.Key.Length);
        _asyncCommit = _options.UseAsyncCommit && _mutations.Length <= TxnBudgets.AsyncCommitKeysLimit && keyBytes <= TxnBudgets.AsyncCommitKeySizeLimit;
        _onePc = _options.TryOnePhaseCommit;
        _lockTtl = _options.LockTtl is { } ttl ? (ulong)Math.Ceiling(ttl.TotalMilliseconds) : TxnBudgets.LockTtlMs(_size, Elapsed);
        if (!_asyncCommit && !_onePc)
        {
            return;
        }

        // The commit_ts of an async-commit or 1PC transaction is computed by TiKV from min_commit_ts; taking it
        // above a fresh timestamp keeps the commit linearizable with every transaction that already finished.
        var latest = await _txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        _minCommitTs = latest + 1;
        var currentTs = _startTs + ((ulong)Math.Max(0, (long)Elapsed.TotalMilliseconds) << TsoMath.LogicalBits);
        _maxCommitTs = currentTs + ((ulong)TxnBudgets.AsyncCommitSafeWindowMs << TsoMath.LogicalBits);
        if (_asyncCommit && _pessimistic)
        {
            // TiDB issue 33641: a resolver must not see the lock expire before max_commit_ts has passed.
            var safeTtl = (ulong)(TsoMath.PhysicalMs(_maxCommitTs) - TsoMath.PhysicalMs(_startTs)) + 1;
            _lockTtl = Math.Max(_lockTtl, safeTtl);
        }
    }

    private async Task<ulong> CommitPrimaryAsync(CommitStage stage, CancellationToken cancellationToken)
    {
        var backoffer = _txn.NewBackoffer("KvCommit", TxnBudgets.Prewrite);
        var batches = await _txn.Plan.PlanAsync(backoffer, _mutations, TxnMutation.KeyShape, cancellationToken).ConfigureAwait(false);
        var primaryIndex = batches.FindIndex(b => TxnMutation.Contains(b.Batch, _primary));
        var (region, batch) = batches[primaryIndex];
        await _txn.Plan.SendPlannedAsync(
            backoffer,
            region,
            batch,
            TxnMutation.KeyShape,
            BuildCommit,
            (b, response) => OnCommitResponseAsync(b, response, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (stage == CommitStage.All)
        {
            var secondaries = batches.Where((_, i) => i != primaryIndex).ToList();
            if (secondaries.Count > 0)
            {
                Background = CommitInBackgroundAsync(secondaries, "KvCommit (secondaries)");
            }
        }

        return _commitTs;
    }

    private async Task CommitInBackgroundAsync(TxnMutation[] mutations, string operation)
    {
        try
        {
            var backoffer = _txn.NewBackoffer(operation, TxnBudgets.CommitSecondary);
            var batches = await _txn.Plan.PlanAsync(backoffer, mutations, TxnMutation.KeyShape, CancellationToken.None).ConfigureAwait(false);
            await CommitBatchesAsync(backoffer, batches).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TiKVException or ObjectDisposedException or OperationCanceledException)
        {
            TxnLog.SecondaryCommitFailed(_txn.Logger, _startTs, _commitTs, ex.Message);
        }
    }

    private async Task CommitInBackgroundAsync(List<(CachedRegion Region, ArraySegment<TxnMutation> Batch)> batches, string operation)
    {
        try
        {
            await CommitBatchesAsync(_txn.NewBackoffer(operation, TxnBudgets.CommitSecondary), batches).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TiKVException or ObjectDisposedException or OperationCanceledException)
        {
            TxnLog.SecondaryCommitFailed(_txn.Logger, _startTs, _commitTs, ex.Message);
        }
    }

    private Task CommitBatchesAsync(Backoffer backoffer, List<(CachedRegion Region, ArraySegment<TxnMutation> Batch)> batches) =>
        Task.WhenAll(batches.Select(b => _txn.Plan.SendPlannedAsync(
            backoffer,
            b.Region,
            b.Batch,
            TxnMutation.KeyShape,
            BuildCommit,
            (batch, response) => OnCommitResponseAsync(batch, response, CancellationToken.None),
            CancellationToken.None)));
}
