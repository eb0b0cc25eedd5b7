using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>Async commit and 1PC: min_commit_ts from max_ts, fallbacks, and recovery through CheckSecondaryLocks.</summary>
public sealed class AsyncCommitTests : IAsyncLifetime
{
    private readonly MvccHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static PrewriteRequest AsyncPrewrite(ulong startTs, string primary, string[] secondaries, params Mutation[] mutations)
    {
        var request = PrewriteRequest(startTs, primary, mutations);
        request.UseAsyncCommit = true;
        request.Secondaries.AddRange(secondaries.Select(K));
        return request;
    }

    private async Task<CheckSecondaryLocksResponse> CheckSecondariesAsync(ulong startTs, params string[] keys)
    {
        var request = new CheckSecondaryLocksRequest { StartVersion = startTs };
        request.Keys.AddRange(keys.Select(K));
        return await _h.Engine.CheckSecondaryLocksAsync(request);
    }

    [Fact]
    public async Task Min_commit_ts_is_above_every_read_timestamp_seen()
    {
        await _h.MustGetAsync("x", 500);
        var response = await _h.Engine.PrewriteAsync(AsyncPrewrite(100, "pk", ["s"], Put("pk", "1"), Put("s", "2")));

        Assert.Empty(response.Errors);
        Assert.Equal(501UL, response.MinCommitTs);
        Assert.Equal(501UL, _h.LockOf("pk")!.MinCommitTs);
        Assert.True(_h.LockOf("pk")!.UseAsyncCommit);
        Assert.Equal(["s"], _h.LockOf("pk")!.Secondaries!.Select(Str));
        Assert.Empty(_h.LockOf("s")!.Secondaries ?? []);

        // Without reads above start_ts it is start_ts + 1 (or the requested min_commit_ts).
        response = await _h.Engine.PrewriteAsync(AsyncPrewrite(1000, "a", [], Put("a", "1")));
        Assert.Equal(1001UL, response.MinCommitTs);
    }

    [Fact]
    public async Task Exceeding_max_commit_ts_falls_back_to_two_phase_commit()
    {
        await _h.MustGetAsync("x", 500);
        var request = AsyncPrewrite(100, "pk", ["s"], Put("pk", "1"), Put("s", "2"));
        request.MaxCommitTs = 200;
        var response = await _h.Engine.PrewriteAsync(request);

        Assert.Empty(response.Errors);
        Assert.Equal(0UL, response.MinCommitTs);
        Assert.False(_h.LockOf("pk")!.UseAsyncCommit);
        Assert.False(_h.LockOf("s")!.UseAsyncCommit);
        await _h.MustCommitAsync(100, 600, "pk", "s");
    }

    [Fact]
    public async Task Check_secondary_locks_reports_locks_while_all_keys_are_locked()
    {
        await _h.Engine.PrewriteAsync(AsyncPrewrite(100, "pk", ["s1", "s2"], Put("pk", "1"), Put("s1", "2"), Put("s2", "3")));

        var response = await CheckSecondariesAsync(100, "s1", "s2");
        Assert.Null(response.Error);
        Assert.Equal(0UL, response.CommitTs);
        Assert.Equal(["s1", "s2"], response.Locks.Select(l => Str(l.Key)));
        Assert.All(response.Locks, l => Assert.True(l.UseAsyncCommit));
    }

    [Fact]
    public async Task Check_secondary_locks_reports_the_commit_ts_once_any_key_committed()
    {
        var prewrite = await _h.Engine.PrewriteAsync(AsyncPrewrite(100, "pk", ["s1", "s2"], Put("pk", "1"), Put("s1", "2"), Put("s2", "3")));
        await _h.MustCommitAsync(100, prewrite.MinCommitTs, "s1");

        var response = await CheckSecondariesAsync(100, "s2", "s1");
        Assert.Equal(prewrite.MinCommitTs, response.CommitTs);
        Assert.Empty(response.Locks);
    }

    [Fact]
    public async Task Check_secondary_locks_rolls_back_a_key_that_was_never_prewritten()
    {
        // Only the primary arrived; the prewrite of s2 is still in flight.
        await _h.Engine.PrewriteAsync(AsyncPrewrite(100, "pk", ["s2"], Put("pk", "1")));

        var response = await CheckSecondariesAsync(100, "s2");
        Assert.Empty(response.Locks);
        Assert.Equal(0UL, response.CommitTs);

        // The protected rollback record makes the late prewrite fail, so the transaction cannot commit.
        var late = await _h.Engine.PrewriteAsync(AsyncPrewrite(100, "pk", ["s2"], Put("s2", "3")));
        Assert.Equal(WriteConflict.Types.Reason.SelfRolledBack, Assert.Single(late.Errors).Conflict.Reason);
    }

    [Fact]
    public async Task Async_commit_lock_blocks_reads_at_or_above_min_commit_ts_only()
    {
        var prewrite = await _h.Engine.PrewriteAsync(AsyncPrewrite(100, "pk", [], Put("pk", "1")));
        Assert.Null(await _h.MustGetAsync("pk", prewrite.MinCommitTs - 1));
        await _h.MustBeLockedAsync("pk", prewrite.MinCommitTs);
    }

    [Fact]
    public async Task One_pc_commits_directly()
    {
        await _h.MustGetAsync("x", 300);
        var request = PrewriteRequest(100, "a", Put("a", "1"), Put("b", "2"));
        request.TryOnePc = true;
        var response = await _h.Engine.PrewriteAsync(request);

        Assert.Empty(response.Errors);
        Assert.Equal(301UL, response.OnePcCommitTs);
        Assert.False(_h.HasLock("a"));
        Assert.False(_h.HasLock("b"));
        Assert.Null(await _h.MustGetAsync("a", 300));
        Assert.Equal("1", await _h.MustGetAsync("a", 301));
        Assert.Equal("2", await _h.MustGetAsync("b", 301));
    }

    [Fact]
    public async Task One_pc_over_max_commit_ts_leaves_ordinary_locks()
    {
        await _h.MustGetAsync("x", 300);
        var request = PrewriteRequest(100, "a", Put("a", "1"), Put("b", "2"));
        request.TryOnePc = true;
        request.MaxCommitTs = 150;
        var response = await _h.Engine.PrewriteAsync(request);

        Assert.Empty(response.Errors);
        Assert.Equal(0UL, response.OnePcCommitTs);
        Assert.True(_h.HasLock("a"));
        Assert.True(_h.HasLock("b"));
        await _h.MustCommitAsync(100, 400, "a", "b");
        Assert.Equal("2", await _h.MustGetAsync("b", 400));
    }

    [Fact]
    public async Task One_pc_replaces_pessimistic_locks()
    {
        Assert.Empty((await _h.PessimisticLockAsync(100, 100, "a", -1, "a")).Errors);
        var request = PrewriteRequest(100, "a", Put("a", "1"));
        request.ForUpdateTs = 100;
        request.PessimisticActions.Add(TiKV.Proto.Kvrpcpb.PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck);
        request.TryOnePc = true;
        var response = await _h.Engine.PrewriteAsync(request);

        Assert.Empty(response.Errors);
        Assert.NotEqual(0UL, response.OnePcCommitTs);
        Assert.False(_h.HasLock("a"));
        Assert.Equal("1", await _h.MustGetAsync("a", response.OnePcCommitTs));
    }

    [Fact]
    public async Task A_stale_force_lock_of_a_committed_transaction_reports_the_commit()
    {
        await _h.MustPutAsync(10, 20, ("k", "v"));

        // A late force-lock request of the same transaction locks over its own commit record.
        var stale = PessimisticLockRequest(10, 15, "k", -1, "k");
        stale.WakeUpMode = PessimisticLockWakeUpMode.WakeUpModeForceLock;
        Assert.Empty((await _h.Engine.PessimisticLockAsync(stale)).Errors);
        Assert.True(_h.LockOf("k")!.IsLockedWithConflict);

        var response = await CheckSecondariesAsync(10, "k");
        Assert.Null(response.Error);
        Assert.Equal(20UL, response.CommitTs);
        Assert.Empty(response.Locks);
        Assert.False(_h.HasLock("k"));
        Assert.Equal([(20UL, TiKV.DevCluster.Mvcc.WriteKind.Put)], _h.Writes("k"));
    }
}
