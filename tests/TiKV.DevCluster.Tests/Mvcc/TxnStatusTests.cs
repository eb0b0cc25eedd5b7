using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;
using TxnAction = TiKV.Proto.Kvrpcpb.Action;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>CheckTxnStatus, TxnHeartBeat and Cleanup: every outcome, with TTLs in physical milliseconds.</summary>
public sealed class TxnStatusTests : IAsyncLifetime
{
    private readonly MvccHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Alive_lock_reports_ttl_and_lock_info()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"));

        var status = await _h.CheckTxnStatusAsync("pk", start, callerStartTs: 0, currentTs: Ts(1000 + DefaultTtl));
        Assert.Null(status.Error);
        Assert.Equal(TxnAction.NoAction, status.Action);
        Assert.Equal(DefaultTtl, status.LockTtl);
        Assert.Equal(0UL, status.CommitVersion);
        Assert.Equal("pk", Str(status.LockInfo.Key));
        Assert.Equal(start, status.LockInfo.LockVersion);
        Assert.True(_h.HasLock("pk"));
    }

    [Fact]
    public async Task Expired_lock_is_rolled_back()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"));

        var status = await _h.CheckTxnStatusAsync("pk", start, callerStartTs: 0, currentTs: Ts(1000 + DefaultTtl + 1));
        Assert.Equal(TxnAction.TtlexpireRollback, status.Action);
        Assert.Equal(0UL, status.LockTtl);
        Assert.False(_h.HasLock("pk"));

        // Asking again finds the rollback record: nothing to do.
        status = await _h.CheckTxnStatusAsync("pk", start, callerStartTs: 0, currentTs: Ts(9000));
        Assert.Equal(TxnAction.NoAction, status.Action);
        Assert.Equal(0UL, status.LockTtl);
        Assert.Equal(0UL, status.CommitVersion);

        // The primary's rollback is protected, so a late prewrite cannot succeed.
        Assert.Equal(WriteConflict.Types.Reason.SelfRolledBack, Assert.Single((await _h.PrewriteAsync(start, "pk", Put("pk", "v"))).Errors).Conflict.Reason);
    }

    [Fact]
    public async Task Committed_transaction_reports_commit_version()
    {
        await _h.MustPutAsync(Ts(1000), Ts(1001), ("pk", "v"));
        var status = await _h.CheckTxnStatusAsync("pk", Ts(1000), 0, Ts(9000));
        Assert.Equal(Ts(1001), status.CommitVersion);
        Assert.Equal(TxnAction.NoAction, status.Action);
    }

    [Fact]
    public async Task Missing_lock_is_rolled_back_or_reported_as_not_found()
    {
        var notFound = await _h.CheckTxnStatusAsync("pk", Ts(1000), 0, Ts(1000), rollbackIfNotExist: false);
        Assert.Equal(Ts(1000), notFound.Error.TxnNotFound.StartTs);
        Assert.Equal("pk", Str(notFound.Error.TxnNotFound.PrimaryKey));
        Assert.Empty(_h.Writes("pk"));

        var rolledBack = await _h.CheckTxnStatusAsync("pk", Ts(1000), 0, Ts(1000), rollbackIfNotExist: true);
        Assert.Null(rolledBack.Error);
        Assert.Equal(TxnAction.LockNotExistRollback, rolledBack.Action);
        Assert.Single(_h.Writes("pk"));

        // A prewrite arriving after that must fail.
        Assert.NotNull(Assert.Single((await _h.PrewriteAsync(Ts(1000), "pk", Put("pk", "v"))).Errors).Conflict);
    }

    [Fact]
    public async Task Caller_start_ts_pushes_min_commit_ts()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"));

        var status = await _h.CheckTxnStatusAsync("pk", start, callerStartTs: Ts(1500), currentTs: Ts(1200));
        Assert.Equal(TxnAction.MinCommitTspushed, status.Action);
        Assert.Equal(Ts(1500) + 1, _h.LockOf("pk")!.MinCommitTs);
        Assert.True(status.LockTtl > 0);

        // Committing below the pushed min_commit_ts is refused.
        Assert.NotNull((await _h.CommitAsync(start, Ts(1400), "pk")).Error.CommitTsExpired);
        await _h.MustCommitAsync(start, Ts(1600), "pk");
    }

    [Fact]
    public async Task Current_ts_above_the_caller_becomes_the_pushed_min_commit_ts()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"));
        await _h.CheckTxnStatusAsync("pk", start, callerStartTs: Ts(1100), currentTs: Ts(1300));
        Assert.Equal(Ts(1300), _h.LockOf("pk")!.MinCommitTs);
    }

    [Fact]
    public async Task Expired_pessimistic_primary_is_only_unlocked_when_resolving_pessimistic_locks()
    {
        var start = Ts(1000);
        Assert.Empty((await _h.PessimisticLockAsync(start, start, "pk", -1, "pk")).Errors);

        var status = await _h.CheckTxnStatusAsync("pk", start, 0, Ts(1000 + DefaultTtl + 1), resolvingPessimisticLock: true);
        Assert.Equal(TxnAction.TtlexpirePessimisticRollback, status.Action);
        Assert.False(_h.HasLock("pk"));
        Assert.Empty(_h.Writes("pk"));

        status = await _h.CheckTxnStatusAsync("pk", start, 0, Ts(9000), resolvingPessimisticLock: true);
        Assert.Equal(TxnAction.LockNotExistDoNothing, status.Action);
        Assert.Empty(_h.Writes("pk"));
    }

    [Fact]
    public async Task Expired_pessimistic_primary_is_rolled_back_otherwise()
    {
        var start = Ts(1000);
        Assert.Empty((await _h.PessimisticLockAsync(start, start, "pk", -1, "pk")).Errors);
        var status = await _h.CheckTxnStatusAsync("pk", start, 0, Ts(1000 + DefaultTtl + 1));
        Assert.Equal(TxnAction.TtlexpireRollback, status.Action);
        Assert.Single(_h.Writes("pk"));
    }

    [Fact]
    public async Task Async_commit_lock_is_never_expired_unless_sync_commit_is_forced()
    {
        var start = Ts(1000);
        var request = PrewriteRequest(start, "pk", Put("pk", "v"), Put("s", "v"));
        request.UseAsyncCommit = true;
        request.Secondaries.Add(K("s"));
        Assert.Empty((await _h.Engine.PrewriteAsync(request)).Errors);

        var status = await _h.CheckTxnStatusAsync("pk", start, Ts(50_000), Ts(50_000));
        Assert.Equal(TxnAction.NoAction, status.Action);
        Assert.True(status.LockInfo.UseAsyncCommit);
        Assert.Equal(["s"], status.LockInfo.Secondaries.Select(Str));
        Assert.True(_h.HasLock("pk"));

        status = await _h.CheckTxnStatusAsync("pk", start, Ts(50_000), Ts(50_000), forceSyncCommit: true);
        Assert.Equal(TxnAction.TtlexpireRollback, status.Action);
    }

    [Fact]
    public async Task Verify_is_primary_rejects_a_secondary()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"), Put("s", "v"));
        var response = await _h.Engine.CheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            PrimaryKey = K("s"),
            LockTs = start,
            CurrentTs = Ts(1000),
            VerifyIsPrimary = true,
        });
        Assert.Equal("pk", Str(response.Error.PrimaryMismatch.LockInfo.PrimaryLock));
    }

    [Fact]
    public async Task Heart_beat_extends_but_never_shortens_the_ttl()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"));

        var beat = await _h.Engine.TxnHeartBeatAsync(new TxnHeartBeatRequest { PrimaryLock = K("pk"), StartVersion = start, AdviseLockTtl = 10_000 });
        Assert.Equal(10_000UL, beat.LockTtl);
        beat = await _h.Engine.TxnHeartBeatAsync(new TxnHeartBeatRequest { PrimaryLock = K("pk"), StartVersion = start, AdviseLockTtl = 5 });
        Assert.Equal(10_000UL, beat.LockTtl);

        // The longer TTL keeps the lock alive past the original expiry.
        var status = await _h.CheckTxnStatusAsync("pk", start, 0, Ts(1000 + 5000));
        Assert.Equal(10_000UL, status.LockTtl);

        beat = await _h.Engine.TxnHeartBeatAsync(new TxnHeartBeatRequest { PrimaryLock = K("pk"), StartVersion = Ts(2000), AdviseLockTtl = 5 });
        Assert.Equal(Ts(2000), beat.Error.TxnNotFound.StartTs);
    }

    [Fact]
    public async Task Cleanup_respects_the_ttl_given_current_ts()
    {
        var start = Ts(1000);
        await _h.MustPrewriteAsync(start, "pk", Put("pk", "v"));

        var alive = await _h.Engine.CleanupAsync(new CleanupRequest { Key = K("pk"), StartVersion = start, CurrentTs = Ts(1500) });
        Assert.Equal(start, alive.Error.Locked.LockVersion);
        Assert.True(_h.HasLock("pk"));

        var expired = await _h.Engine.CleanupAsync(new CleanupRequest { Key = K("pk"), StartVersion = start, CurrentTs = Ts(1000 + DefaultTtl + 1) });
        Assert.Null(expired.Error);
        Assert.False(_h.HasLock("pk"));
    }
}
