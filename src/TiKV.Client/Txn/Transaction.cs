using TiKV.Client.Txn.Internal;

namespace TiKV.Client;

/// <summary>
/// A Percolator transaction (snapshot isolation) over TiKV's transactional key space, begun with
/// <see cref="TiKVClient.BeginTransactionAsync"/>. Reads see the snapshot at <see cref="StartTimestamp"/> overlaid with
/// the transaction's own writes; writes are buffered and made durable atomically by <see cref="CommitAsync"/>
/// (two-phase commit, or async commit / 1PC when enabled). Disposing a transaction that was neither committed nor
/// rolled back rolls it back. A transaction is meant for one caller at a time: do not run its operations concurrently.
/// </summary>
public sealed partial class Transaction : IAsyncDisposable
{
    private readonly TiKVClient _owner;
    private readonly TxnCore _txn;
    private readonly TransactionOptions _options;
    private readonly Snapshot _snapshot;
    private readonly WriteBuffer _buffer = new();
    private readonly long _startedAt;
    private readonly object _gate = new();
    private byte[]? _primary;
    private ulong _forUpdateTs;
    private TtlManager? _heartbeat;
    private TwoPhaseCommitter? _committer;
    private int _state;

    internal Transaction(TiKVClient owner, TxnCore txn, TransactionOptions options, ulong startTs)
    {
        _owner = owner;
        _txn = txn;
        _options = options;
        _snapshot = new Snapshot(owner, startTs);
        _startedAt = txn.Time.GetTimestamp();
    }

    private enum State
    {
        Active,
        Committing,
        Committed,
        RolledBack,
        Failed,
        Abandoned,
    }

    /// <summary>The transaction's start_ts: the snapshot it reads and the version its writes are prewritten at.</summary>
    public ulong StartTimestamp => _snapshot.Timestamp;

    /// <summary>Optimistic or pessimistic.</summary>
    public TransactionMode Mode => _options.Mode;

    /// <summary>The commit_ts once <see cref="CommitAsync"/> succeeded (0 if the transaction wrote nothing); null before.</summary>
    public ulong? CommitTimestamp { get; private set; }

    /// <summary>The protocol the commit used ("2pc", "async_commit", "1pc"); null before a commit ran.</summary>
    internal string? CommitProtocol => _committer?.Protocol;

    /// <summary>Background work the commit left behind (committing secondaries, or rolling back after a failure).</summary>
    internal Task BackgroundWork => _committer?.Background ?? Task.CompletedTask;

    private bool Pessimistic => _options.Mode == TransactionMode.Pessimistic;

    private TiKVClientOptions ClientOptions => _owner.Options;

    /// <summary>
    /// Commits the transaction and returns its commit_ts. Everything it wrote becomes visible atomically to snapshots
    /// taken after the commit_ts. Fails with <see cref="WriteConflictException"/> when another transaction wrote one of
    /// the keys after <see cref="StartTimestamp"/> (run the transaction again), <see cref="KeyAlreadyExistsException"/>
    /// when an insert found its key, or <see cref="UndeterminedResultException"/> when the answer to the commit point
    /// was lost (read the data to learn the outcome). After any failure the transaction is finished.
    /// </summary>
    public Task<ulong> CommitAsync(CancellationToken cancellationToken = default) => CommitUpToAsync(CommitStage.All, cancellationToken);

    /// <summary>
    /// Discards the transaction's writes and releases its pessimistic locks. Rolling back twice is harmless; rolling
    /// back a committed transaction throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public async Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) == (int)State.RolledBack)
        {
            return;
        }

        Transition(State.Active, State.RolledBack, "roll back");
        await StopHeartbeatAsync().ConfigureAwait(false);
        var locked = _buffer.LockedKeys();
        if (Pessimistic && locked.Count > 0)
        {
            var backoffer = _txn.NewBackoffer("KvPessimisticRollback", TxnBudgets.Cleanup);
            await TwoPhaseCommitter.PessimisticRollbackAsync(_txn, backoffer, StartTimestamp, _forUpdateTs, TxnKey.SortedDistinct(locked), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Rolls the transaction back unless it was committed or rolled back already.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == (int)State.Active)
        {
            try
            {
                await RollbackAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TiKVException or ObjectDisposedException or InvalidOperationException)
            {
                TxnLog.DisposeRollbackFailed(_txn.Logger, StartTimestamp, ex.Message);
            }
        }

        await StopHeartbeatAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the commit up to <paramref name="stage"/>; anything short of the whole protocol leaves the transaction abandoned, as a crashed client would.</summary>
    internal async Task<ulong> CommitUpToAsync(CommitStage stage, CancellationToken cancellationToken)
    {
        Transition(State.Active, State.Committing, "commit");
        using var activity = Diagnostics.Internal.ClientMetrics.ActivitySource.StartActivity("TxnCommit");
        try
        {
            // A pessimistic transaction that never locked anything commits like an optimistic one (TiKV picks the
            // prewrite flavour by for_update_ts).
            var pessimistic = Pessimistic && _forUpdateTs != 0;
            var mutations = _buffer.Mutations(pessimistic);
            if (mutations.Length == 0)
            {
                Volatile.Write(ref _state, (int)State.Committed);
                CommitTimestamp = 0;
                return 0;
            }

            var primary = _primary ?? mutations[0].Key;
            var committer = new TwoPhaseCommitter(_txn, StartTimestamp, _startedAt, mutations, primary, pessimistic, _forUpdateTs, _options, () => StartHeartbeat(primary));
            _committer = committer;
            var commitTs = await committer.ExecuteAsync(stage, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("tikv.commit_ts", commitTs);
            activity?.SetTag("tikv.protocol", committer.Protocol);
            Volatile.Write(ref _state, (int)(stage == CommitStage.All ? State.Committed : State.Abandoned));
            CommitTimestamp = commitTs;
            return commitTs;
        }
        catch
        {
            Volatile.Write(ref _state, (int)State.Failed);
            throw;
        }
        finally
        {
            await StopHeartbeatAsync().ConfigureAwait(false);
        }
    }

    private void EnsureActive()
    {
        var state = (State)Volatile.Read(ref _state);
        if (state != State.Active)
        {
            throw new InvalidOperationException($"Transaction {StartTimestamp} is {Describe(state)}; begin a new transaction.");
        }
    }

    private void Transition(State from, State to, string action)
    {
        var previous = (State)Interlocked.CompareExchange(ref _state, (int)to, (int)from);
        if (previous != from)
        {
            throw new InvalidOperationException($"Cannot {action} transaction {StartTimestamp}: it is {Describe(previous)}.");
        }
    }

    private static string Describe(State state) => state switch
    {
        State.Committing => "committing",
        State.Committed => "committed",
        State.RolledBack => "rolled back",
        State.Failed => "finished by a failed commit",
        State.Abandoned => "abandoned",
        _ => "active",
    };

    private void StartHeartbeat(byte[] primary)
    {
        lock (_gate)
        {
            if (_heartbeat is not null)
            {
                return;
            }

            _heartbeat = new TtlManager(_txn, StartTimestamp, primary, _options.HeartbeatInterval, _options.ManagedLockTtl);
            _heartbeat.Start();
        }
    }

    private async Task StopHeartbeatAsync()
    {
        TtlManager? heartbeat;
        lock (_gate)
        {
            heartbeat = _heartbeat;
            _heartbeat = null;
        }

        if (heartbeat is not null)
        {
            await heartbeat.DisposeAsync().ConfigureAwait(false);
        }
    }
}
