using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

public sealed class PercolatorTests : IAsyncLifetime
{
    private readonly MvccHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Committed_value_is_visible_from_commit_ts_on()
    {
        await _h.MustPrewriteAsync(10, "k", Put("k", "v1"));
        await _h.MustCommitAsync(10, 20, "k");

        Assert.Null(await _h.MustGetAsync("k", 19));
        Assert.Equal("v1", await _h.MustGetAsync("k", 20));
        Assert.Equal("v1", await _h.MustGetAsync("k", ulong.MaxValue));
        Assert.False(_h.HasLock("k"));
        Assert.Equal([(20UL, WriteKind.Put)], _h.Writes("k"));
    }

    [Fact]
    public async Task Reads_see_the_newest_version_at_or_below_their_timestamp()
    {
        await _h.MustPutAsync(10, 11, ("k", "v1"));
        await _h.MustPutAsync(20, 21, ("k", "v2"));
        await _h.MustPrewriteAsync(30, "k", Delete("k"));
        await _h.MustCommitAsync(30, 31, "k");
        await _h.MustPutAsync(40, 41, ("k", "v4"));

        Assert.Null(await _h.MustGetAsync("k", 10));
        Assert.Equal("v1", await _h.MustGetAsync("k", 11));
        Assert.Equal("v1", await _h.MustGetAsync("k", 20));
        Assert.Equal("v2", await _h.MustGetAsync("k", 30));
        Assert.Null(await _h.MustGetAsync("k", 31));
        Assert.Null(await _h.MustGetAsync("k", 40));
        Assert.Equal("v4", await _h.MustGetAsync("k", 41));
    }

    [Fact]
    public async Task A_lock_at_or_below_the_read_ts_blocks_with_full_lock_info()
    {
        var request = PrewriteRequest(10, "pk", Put("pk", "p"), Put("k", "v"));
        request.LockTtl = 5000;
        request.TxnSize = 2;
        Assert.Empty((await _h.Engine.PrewriteAsync(request)).Errors);

        var info = await _h.MustBeLockedAsync("k", 15);
        Assert.Equal("pk", Str(info.PrimaryLock));
        Assert.Equal(10UL, info.LockVersion);
        Assert.Equal("k", Str(info.Key));
        Assert.Equal(5000UL, info.LockTtl);
        Assert.Equal(2UL, info.TxnSize);
        Assert.Equal(Op.Put, info.LockType);
        Assert.Equal(11UL, info.MinCommitTs);

        // A read below the lock's start_ts is not affected.
        Assert.Null(await _h.MustGetAsync("k", 9));
    }

    [Fact]
    public async Task Lock_and_pessimistic_locks_do_not_block_reads()
    {
        await _h.MustPutAsync(5, 6, ("a", "old"), ("b", "old"));
        await _h.MustPrewriteAsync(10, "a", LockOnly("a"));
        Assert.Empty((await _h.PessimisticLockAsync(11, 11, "b", -1, "b")).Errors);

        Assert.Equal("old", await _h.MustGetAsync("a", 20));
        Assert.Equal("old", await _h.MustGetAsync("b", 20));
    }

    [Fact]
    public async Task Resolved_locks_are_bypassed_and_committed_locks_are_read_through()
    {
        await _h.MustPutAsync(5, 6, ("k", "old"));
        await _h.MustPrewriteAsync(10, "k", Put("k", "new"));

        var bypass = new Context();
        bypass.ResolvedLocks.Add(10);
        var response = await _h.GetAsync("k", 20, bypass);
        Assert.Equal("old", Str(response.Value));

        var access = new Context();
        access.CommittedLocks.Add(10);
        response = await _h.GetAsync("k", 20, access);
        Assert.Equal("new", Str(response.Value));
    }

    [Fact]
    public async Task A_lock_whose_min_commit_ts_was_pushed_past_the_read_does_not_block()
    {
        await _h.MustPrewriteAsync(10, "k", Put("k", "v"));
        var status = await _h.CheckTxnStatusAsync("k", 10, callerStartTs: 20, currentTs: Ts(0, 20));
        Assert.Equal(Proto.Kvrpcpb.Action.MinCommitTspushed, status.Action);

        Assert.Null(await _h.MustGetAsync("k", 20));
        await _h.MustBeLockedAsync("k", 30);
    }

    [Fact]
    public async Task Read_committed_ignores_locks()
    {
        await _h.MustPutAsync(5, 6, ("k", "old"));
        await _h.MustPrewriteAsync(10, "k", Put("k", "new"));
        var response = await _h.GetAsync("k", 20, new Context { IsolationLevel = IsolationLevel.Rc });
        Assert.Equal("old", Str(response.Value));
    }

    [Fact]
    public async Task Rc_check_ts_read_meets_any_unresolved_lock_as_a_write_conflict()
    {
        await _h.MustPutAsync(5, 6, ("k", "old"));
        await _h.MustPrewriteAsync(30, "p", Put("k", "new"));

        // Snapshot isolation ignores a lock newer than the read; RcCheckTs does not.
        Assert.Equal("old", await _h.MustGetAsync("k", 20));
        var response = await _h.GetAsync("k", 20, new Context { IsolationLevel = IsolationLevel.RccheckTs });
        var conflict = response.Error.Conflict;
        Assert.Null(response.Error.Locked);
        Assert.Equal(WriteConflict.Types.Reason.RcCheckTs, conflict.Reason);
        Assert.Equal(20UL, conflict.StartTs);
        Assert.Equal(30UL, conflict.ConflictTs);
        Assert.Equal(0UL, conflict.ConflictCommitTs);
        Assert.Equal("p", Str(conflict.Primary));

        // Once the client resolved it, the lock is bypassed.
        var resolved = new Context { IsolationLevel = IsolationLevel.RccheckTs };
        resolved.ResolvedLocks.Add(30);
        Assert.Equal("old", Str((await _h.GetAsync("k", 20, resolved)).Value));
    }

    [Fact]
    public async Task Rc_check_ts_read_meets_a_newer_version_as_a_write_conflict()
    {
        await _h.MustPutAsync(5, 6, ("k", "old"));
        await _h.MustPutAsync(25, 26, ("k", "new"));
        var conflict = (await _h.GetAsync("k", 20, new Context { IsolationLevel = IsolationLevel.RccheckTs })).Error.Conflict;
        Assert.Equal(WriteConflict.Types.Reason.RcCheckTs, conflict.Reason);
        Assert.Equal(26UL, conflict.ConflictCommitTs);
        Assert.Equal("new", Str((await _h.GetAsync("k", 30, new Context { IsolationLevel = IsolationLevel.RccheckTs })).Value));
    }

    [Fact]
    public async Task Duplicate_prewrite_is_idempotent_and_commit_retry_succeeds()
    {
        await _h.MustPrewriteAsync(10, "k", Put("k", "v"));
        await _h.MustPrewriteAsync(10, "k", Put("k", "v"));
        await _h.MustCommitAsync(10, 20, "k");
        await _h.MustCommitAsync(10, 20, "k");

        // A prewrite retried after the commit is answered as success without writing a new lock.
        await _h.MustPrewriteAsync(10, "k", Put("k", "v"));
        Assert.False(_h.HasLock("k"));
        Assert.Equal("v", await _h.MustGetAsync("k", 30));
    }

    [Fact]
    public async Task Rollback_removes_the_lock_and_commit_then_fails()
    {
        await _h.MustPrewriteAsync(10, "k", Put("k", "v"));
        Assert.Null((await _h.RollbackAsync(10, "k")).Error);
        Assert.False(_h.HasLock("k"));
        Assert.Equal([(10UL, WriteKind.Rollback)], _h.Writes("k"));

        var commit = await _h.CommitAsync(10, 20, "k");
        Assert.NotNull(commit.Error.TxnLockNotFound);
        Assert.Equal("k", Str(commit.Error.TxnLockNotFound.Key));
        Assert.Null(await _h.MustGetAsync("k", 30));

        // Rolling back twice is fine.
        Assert.Null((await _h.RollbackAsync(10, "k")).Error);
    }

    [Fact]
    public async Task Prewrite_after_rollback_is_a_self_rolled_back_conflict()
    {
        Assert.Null((await _h.RollbackAsync(10, "k")).Error);
        var response = await _h.PrewriteAsync(10, "k", Put("k", "v"));
        var conflict = Assert.Single(response.Errors).Conflict;
        Assert.Equal(WriteConflict.Types.Reason.SelfRolledBack, conflict.Reason);
        Assert.Equal(10UL, conflict.StartTs);
        Assert.Equal(10UL, conflict.ConflictCommitTs);
        Assert.False(_h.HasLock("k"));
    }

    [Fact]
    public async Task Rollback_after_commit_is_refused()
    {
        await _h.MustPutAsync(10, 20, ("k", "v"));

        var rollback = await _h.RollbackAsync(10, "k");
        Assert.Contains("Committed", rollback.Error.Abort, StringComparison.Ordinal);

        var cleanup = await _h.Engine.CleanupAsync(new CleanupRequest { Key = K("k"), StartVersion = 10 });
        Assert.Null(cleanup.Error);
        Assert.Equal(20UL, cleanup.CommitVersion);
        Assert.Equal("v", await _h.MustGetAsync("k", 30));
    }

    [Fact]
    public async Task Newer_commit_makes_an_optimistic_prewrite_conflict()
    {
        await _h.MustPutAsync(15, 20, ("k", "first"));
        var response = await _h.PrewriteAsync(10, "p", Put("k", "late"));

        var conflict = Assert.Single(response.Errors).Conflict;
        Assert.Equal(10UL, conflict.StartTs);
        Assert.Equal(15UL, conflict.ConflictTs);
        Assert.Equal(20UL, conflict.ConflictCommitTs);
        Assert.Equal("k", Str(conflict.Key));
        Assert.Equal("p", Str(conflict.Primary));
        Assert.Equal(WriteConflict.Types.Reason.Optimistic, conflict.Reason);
        Assert.NotEmpty(response.Errors[0].Retryable);
        Assert.False(_h.HasLock("k"));
    }

    [Fact]
    public async Task Locked_keys_are_reported_each_and_nothing_is_written()
    {
        await _h.MustPrewriteAsync(10, "a", Put("a", "1"), Put("b", "1"));
        var response = await _h.PrewriteAsync(20, "c", Put("c", "2"), Put("a", "2"), Put("b", "2"));

        Assert.Equal(2, response.Errors.Count);
        Assert.All(response.Errors, e => Assert.Equal(10UL, e.Locked.LockVersion));
        Assert.Equal(["a", "b"], response.Errors.Select(e => Str(e.Locked.Key)));
        Assert.False(_h.HasLock("c"));
    }

    [Fact]
    public async Task Insert_fails_when_the_key_exists_and_succeeds_after_a_delete()
    {
        await _h.MustPutAsync(10, 11, ("k", "v"));
        var response = await _h.PrewriteAsync(20, "k", Insert("k", "again"));
        Assert.Equal("k", Str(Assert.Single(response.Errors).AlreadyExist.Key));

        await _h.MustPrewriteAsync(30, "k", Delete("k"));
        await _h.MustCommitAsync(30, 31, "k");
        await _h.MustPrewriteAsync(40, "k", Insert("k", "fresh"));
        await _h.MustCommitAsync(40, 41, "k");
        Assert.Equal("fresh", await _h.MustGetAsync("k", 50));
    }

    [Fact]
    public async Task Insert_sees_through_lock_and_rollback_records()
    {
        await _h.MustPutAsync(10, 11, ("k", "v"));
        await _h.MustPrewriteAsync(20, "k", LockOnly("k"));
        await _h.MustCommitAsync(20, 21, "k");
        Assert.Null((await _h.RollbackAsync(25, "k")).Error);

        var response = await _h.PrewriteAsync(30, "k", Insert("k", "x"));
        Assert.NotNull(Assert.Single(response.Errors).AlreadyExist);
    }

    [Fact]
    public async Task Check_not_exists_writes_nothing()
    {
        await _h.MustPrewriteAsync(10, "k", CheckNotExists("k"));
        Assert.False(_h.HasLock("k"));
        await _h.MustPutAsync(20, 21, ("k", "v"));
        var response = await _h.PrewriteAsync(30, "k", CheckNotExists("k"));
        Assert.NotNull(Assert.Single(response.Errors).AlreadyExist);
    }

    [Fact]
    public async Task Assertions_are_checked_at_strict_level()
    {
        await _h.MustPutAsync(10, 11, ("exists", "v"));

        var request = PrewriteRequest(20, "exists", Put("exists", "x", Assertion.NotExist));
        request.AssertionLevel = AssertionLevel.Strict;
        var failed = Assert.Single((await _h.Engine.PrewriteAsync(request)).Errors).AssertionFailed;
        Assert.Equal(Assertion.NotExist, failed.Assertion);
        Assert.Equal(10UL, failed.ExistingStartTs);
        Assert.Equal(11UL, failed.ExistingCommitTs);

        request = PrewriteRequest(21, "missing", Put("missing", "x", Assertion.Exist));
        request.AssertionLevel = AssertionLevel.Strict;
        failed = Assert.Single((await _h.Engine.PrewriteAsync(request)).Errors).AssertionFailed;
        Assert.Equal(Assertion.Exist, failed.Assertion);
        Assert.Equal(0UL, failed.ExistingCommitTs);

        request = PrewriteRequest(22, "exists", Put("exists", "y", Assertion.Exist), Put("missing", "y", Assertion.NotExist));
        request.AssertionLevel = AssertionLevel.Strict;
        Assert.Empty((await _h.Engine.PrewriteAsync(request)).Errors);

        // Assertions are not checked when the level is Off.
        request = PrewriteRequest(23, "z", Put("z", "x", Assertion.Exist));
        Assert.Empty((await _h.Engine.PrewriteAsync(request)).Errors);
    }

    [Fact]
    public async Task Large_values_live_in_the_default_cf_and_go_away_on_rollback()
    {
        var big = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        await _h.MustPrewriteAsync(10, "big", Put("big", big));
        Assert.Null(_h.LockOf("big")!.ShortValue);
        await _h.MustCommitAsync(10, 11, "big");
        var response = await _h.GetAsync("big", 20);
        Assert.Null(response.Error);
        Assert.False(response.NotFound, string.Join(",", _h.Writes("big")));
        Assert.Equal(big, response.Value.ToByteArray());

        await _h.MustPrewriteAsync(30, "big2", Put("big2", big));
        Assert.Single(_h.Storage.Scan(ColumnFamily.Default, default, default), e => e.Key.Length > 0 && MvccKey.DecodeTs(e.Key) == 30);
        Assert.Null((await _h.RollbackAsync(30, "big2")).Error);
        Assert.DoesNotContain(_h.Storage.Scan(ColumnFamily.Default, default, default), e => MvccKey.DecodeTs(e.Key) == 30);
    }

    [Fact]
    public async Task Commit_below_min_commit_ts_is_rejected_and_commit_ts_must_follow_start_ts()
    {
        var request = PrewriteRequest(10, "k", Put("k", "v"));
        request.MinCommitTs = 50;
        Assert.Empty((await _h.Engine.PrewriteAsync(request)).Errors);

        var expired = (await _h.CommitAsync(10, 40, "k")).Error.CommitTsExpired;
        Assert.Equal(10UL, expired.StartTs);
        Assert.Equal(40UL, expired.AttemptedCommitTs);
        Assert.Equal(50UL, expired.MinCommitTs);

        Assert.Contains("InvalidTxnTso", (await _h.CommitAsync(10, 10, "k")).Error.Abort, StringComparison.Ordinal);
        await _h.MustCommitAsync(10, 50, "k");
    }

    [Fact]
    public async Task Commit_of_a_key_never_prewritten_fails()
    {
        var error = (await _h.CommitAsync(10, 20, "ghost")).Error;
        Assert.NotNull(error.TxnLockNotFound);
        Assert.NotEmpty(error.Retryable);
    }

    [Fact]
    public async Task Batch_get_reports_found_keys_and_locked_keys()
    {
        await _h.MustPutAsync(10, 11, ("a", "1"), ("c", "3"));
        await _h.MustPrewriteAsync(20, "b", Put("b", "2"));

        var request = new BatchGetRequest { Version = 30, NeedCommitTs = true };
        request.Keys.AddRange([K("a"), K("b"), K("c"), K("missing")]);
        var response = await _h.Engine.BatchGetAsync(request);

        Assert.Null(response.Error);
        Assert.Equal(3, response.Pairs.Count);
        Assert.Equal(("a", "1", 11UL), (Str(response.Pairs[0].Key), Str(response.Pairs[0].Value), response.Pairs[0].CommitTs));
        Assert.Equal(20UL, response.Pairs[1].Error.Locked.LockVersion);
        Assert.Equal("c", Str(response.Pairs[2].Key));
    }

    [Fact]
    public async Task Get_returns_commit_ts_when_asked()
    {
        await _h.MustPutAsync(10, 11, ("k", "v"));
        var response = await _h.Engine.GetAsync(new GetRequest { Key = K("k"), Version = 20, NeedCommitTs = true });
        Assert.Equal(11UL, response.CommitTs);
    }

    [Fact]
    public async Task Reads_raise_max_ts()
    {
        await _h.MustGetAsync("anything", 12345);
        Assert.Equal(12345UL, _h.Engine.MaxTs);
        await _h.MustGetAsync("anything", 100);
        Assert.Equal(12345UL, _h.Engine.MaxTs);
    }

    [Fact]
    public async Task Malformed_requests_get_clear_errors()
    {
        var response = await _h.Engine.PrewriteAsync(PrewriteRequest(0, "k", Put("k", "v")));
        Assert.Contains("start_version", Assert.Single(response.Errors).Abort, StringComparison.Ordinal);

        response = await _h.PrewriteAsync(10, "k", new Mutation { Op = Op.Rollback, Key = K("k") });
        Assert.Contains("Rollback", Assert.Single(response.Errors).Abort, StringComparison.Ordinal);
    }
}
