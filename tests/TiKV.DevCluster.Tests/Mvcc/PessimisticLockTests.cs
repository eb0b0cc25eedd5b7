using TiKV.DevCluster.Mvcc;
using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>Pessimistic locking: acquisition, conflicts, real waiting with wake-up and timeout, deadlocks.</summary>
public sealed class PessimisticLockTests : IAsyncLifetime
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private readonly MvccHarness _h = new(new TxnEngineOptions { WaitForLockTimeout = TimeSpan.FromSeconds(5) });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static PrewriteRequest PessimisticPrewrite(ulong startTs, ulong forUpdateTs, string primary, params Mutation[] mutations)
    {
        var request = PrewriteRequest(startTs, primary, mutations);
        request.ForUpdateTs = forUpdateTs;
        foreach (var _ in mutations)
        {
            request.PessimisticActions.Add(TiKV.Proto.Kvrpcpb.PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck);
        }

        return request;
    }

    private async Task WaitUntilWaitingAsync(int count)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        while (_h.Engine.WaitingLockRequests < count)
        {
            await Task.Delay(5, cts.Token);
        }
    }

    [Fact]
    public async Task Lock_prewrite_commit_round_trip()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "a", -1, "a", "b")).Errors);
        Assert.True(_h.LockOf("a")!.IsPessimistic);
        Assert.Equal(10UL, _h.LockOf("b")!.ForUpdateTs);

        Assert.Empty((await _h.Engine.PrewriteAsync(PessimisticPrewrite(10, 10, "a", Put("a", "1"), Put("b", "2")))).Errors);
        Assert.False(_h.LockOf("a")!.IsPessimistic);
        await _h.MustCommitAsync(10, 20, "a", "b");
        Assert.Equal("2", await _h.MustGetAsync("b", 20));
    }

    [Fact]
    public async Task Newer_commit_than_for_update_ts_is_a_retryable_conflict()
    {
        await _h.MustPutAsync(15, 20, ("k", "v"));
        var response = await _h.PessimisticLockAsync(10, 18, "k", -1, "k");
        var conflict = Assert.Single(response.Errors).Conflict;
        Assert.Equal(WriteConflict.Types.Reason.PessimisticRetry, conflict.Reason);
        Assert.Equal(20UL, conflict.ConflictCommitTs);

        // Retrying with a newer for_update_ts succeeds.
        Assert.Empty((await _h.PessimisticLockAsync(10, 25, "k", -1, "k")).Errors);
    }

    [Fact]
    public async Task Another_transactions_lock_without_waiting_is_reported()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var response = await _h.PessimisticLockAsync(20, 20, "k", -1, "k");
        Assert.Equal(10UL, Assert.Single(response.Errors).Locked.LockVersion);
    }

    [Fact]
    public async Task Return_values_and_existence_checks_read_the_latest_committed_value()
    {
        await _h.MustPutAsync(5, 6, ("a", "va"));

        var request = PessimisticLockRequest(10, 10, "a", -1, "a", "missing");
        request.ReturnValues = true;
        var response = await _h.Engine.PessimisticLockAsync(request);
        Assert.Empty(response.Errors);
        Assert.Equal(["va", ""], response.Values.Select(Str));
        Assert.Equal([false, true], response.NotFounds);

        request = PessimisticLockRequest(11, 11, "x", -1, "a", "missing2");
        request.CheckExistence = true;
        response = await _h.Engine.PessimisticLockAsync(request);
        Assert.Equal(10UL, Assert.Single(response.Errors).Locked.LockVersion);

        request = PessimisticLockRequest(12, 12, "c", -1, "c", "d");
        request.CheckExistence = true;
        await _h.MustPutAsync(7, 8, ("c", "vc"));
        response = await _h.Engine.PessimisticLockAsync(request);
        Assert.Empty(response.Values);
        Assert.Equal([false, true], response.NotFounds);
    }

    [Fact]
    public async Task Lock_only_if_exists_skips_missing_keys()
    {
        var request = PessimisticLockRequest(10, 10, "a", -1, "ghost");
        request.ReturnValues = true;
        request.LockOnlyIfExists = true;
        Assert.Empty((await _h.Engine.PessimisticLockAsync(request)).Errors);
        Assert.False(_h.HasLock("ghost"));

        request.ReturnValues = false;
        Assert.Contains("LockIfExistsFailed", Assert.Single((await _h.Engine.PessimisticLockAsync(request)).Errors).Abort, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_exist_assertion_gives_already_exist()
    {
        await _h.MustPutAsync(5, 6, ("k", "v"));
        var request = PessimisticLockRequest(10, 10, "k", -1, "k");
        request.Mutations[0].Assertion = Assertion.NotExist;
        Assert.NotNull(Assert.Single((await _h.Engine.PessimisticLockAsync(request)).Errors).AlreadyExist);
    }

    [Fact]
    public async Task Waiter_is_woken_by_commit_with_a_write_conflict()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var waiting = _h.PessimisticLockAsync(20, 20, "k", 0, "k");
        await WaitUntilWaitingAsync(1);
        Assert.False(waiting.IsCompleted);

        Assert.Empty((await _h.Engine.PrewriteAsync(PessimisticPrewrite(10, 10, "k", Put("k", "v")))).Errors);
        Assert.False(waiting.IsCompleted);
        await _h.MustCommitAsync(10, 30, "k");

        var response = await waiting.WaitAsync(TestTimeout);
        var conflict = Assert.Single(response.Errors).Conflict;
        Assert.Equal(WriteConflict.Types.Reason.PessimisticRetry, conflict.Reason);
        Assert.Equal(20UL, conflict.StartTs);
        Assert.Equal(10UL, conflict.ConflictTs);
        Assert.Equal(30UL, conflict.ConflictCommitTs);
        Assert.Equal(0, _h.Engine.WaitingLockRequests);

        // The client retries with a newer for_update_ts and gets the lock.
        Assert.Empty((await _h.PessimisticLockAsync(20, 31, "k", 0, "k")).Errors);
    }

    [Fact]
    public async Task Waiter_is_woken_by_pessimistic_rollback()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var waiting = _h.PessimisticLockAsync(20, 20, "k", 0, "k");
        await WaitUntilWaitingAsync(1);

        var rollback = new PessimisticRollbackRequest { StartVersion = 10, ForUpdateTs = 10 };
        rollback.Keys.Add(K("k"));
        Assert.Empty((await _h.Engine.PessimisticRollbackAsync(rollback)).Errors);

        var conflict = Assert.Single((await waiting.WaitAsync(TestTimeout)).Errors).Conflict;
        Assert.Equal(0UL, conflict.ConflictCommitTs);
    }

    [Fact]
    public async Task Wait_times_out_with_the_lock_in_the_way()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var waiting = _h.PessimisticLockAsync(20, 20, "k", 500, "k");
        await WaitUntilWaitingAsync(1);

        _h.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(waiting.IsCompleted);
        _h.Time.Advance(TimeSpan.FromMilliseconds(1));

        var response = await waiting.WaitAsync(TestTimeout);
        Assert.Equal(10UL, Assert.Single(response.Errors).Locked.LockVersion);
        Assert.Equal(0, _h.Engine.WaitingLockRequests);
        Assert.True(_h.LockOf("k")!.StartTs == 10);
    }

    [Fact]
    public async Task Wait_is_capped_by_the_configured_ceiling()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var waiting = _h.PessimisticLockAsync(20, 20, "k", 60_000, "k");
        await WaitUntilWaitingAsync(1);
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(Assert.Single((await waiting.WaitAsync(TestTimeout)).Errors).Locked);
    }

    [Fact]
    public async Task Cycle_of_waits_is_a_deadlock()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k1", -1, "k1")).Errors);
        Assert.Empty((await _h.PessimisticLockAsync(20, 20, "k2", -1, "k2")).Errors);

        // T10 waits for T20 on k2 ...
        var first = _h.PessimisticLockAsync(10, 10, "k1", 0, "k2");
        await WaitUntilWaitingAsync(1);

        // ... so T20 asking for k1 (held by T10) closes the cycle.
        var response = await _h.PessimisticLockAsync(20, 20, "k2", 0, "k1");
        var deadlock = Assert.Single(response.Errors).Deadlock;
        Assert.Equal(10UL, deadlock.LockTs);
        Assert.Equal("k1", Str(deadlock.LockKey));
        Assert.Equal(KeyHash.Fingerprint64("k2"u8), deadlock.DeadlockKeyHash);
        Assert.Equal("k2", Str(deadlock.DeadlockKey));

        // T20 gives up; T10's wait ends when k2 is released.
        var rollback = new PessimisticRollbackRequest { StartVersion = 20, ForUpdateTs = 20 };
        rollback.Keys.Add(K("k2"));
        await _h.Engine.PessimisticRollbackAsync(rollback);
        Assert.NotNull(Assert.Single((await first.WaitAsync(TestTimeout)).Errors).Conflict);
    }

    [Fact]
    public async Task Waiters_on_other_keys_are_not_woken()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "a", -1, "a", "b")).Errors);
        var waitA = _h.PessimisticLockAsync(20, 20, "a", 0, "a");
        await WaitUntilWaitingAsync(1);

        var rollback = new PessimisticRollbackRequest { StartVersion = 10, ForUpdateTs = 10 };
        rollback.Keys.Add(K("b"));
        await _h.Engine.PessimisticRollbackAsync(rollback);
        await Task.Delay(50);
        Assert.False(waitA.IsCompleted);

        rollback.Keys[0] = K("a");
        await _h.Engine.PessimisticRollbackAsync(rollback);
        Assert.NotNull(Assert.Single((await waitA.WaitAsync(TestTimeout)).Errors).Conflict);
    }

    [Fact]
    public async Task Pessimistic_rollback_keeps_locks_taken_at_a_newer_for_update_ts()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 15, "k", -1, "k")).Errors);
        var rollback = new PessimisticRollbackRequest { StartVersion = 10, ForUpdateTs = 12 };
        rollback.Keys.Add(K("k"));
        await _h.Engine.PessimisticRollbackAsync(rollback);
        Assert.True(_h.HasLock("k"));

        rollback.ForUpdateTs = 15;
        await _h.Engine.PessimisticRollbackAsync(rollback);
        Assert.False(_h.HasLock("k"));
    }

    [Fact]
    public async Task Prewrite_needing_a_lost_pessimistic_lock_fails()
    {
        await _h.MustPutAsync(12, 13, ("k", "other"));
        var response = await _h.Engine.PrewriteAsync(PessimisticPrewrite(10, 11, "k", Put("k", "v")));
        Assert.Contains("PessimisticLockNotFound", Assert.Single(response.Errors).Abort, StringComparison.Ordinal);
        Assert.False(_h.HasLock("k"));
    }

    [Fact]
    public async Task Optimistic_prewrite_over_a_pessimistic_lock_of_the_same_txn_is_a_type_mismatch()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var response = await _h.PrewriteAsync(10, "k", Put("k", "v"));
        Assert.Contains("LockTypeNotMatch", Assert.Single(response.Errors).Abort, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_lock_mode_locks_over_a_newer_write_and_reports_it()
    {
        await _h.MustPutAsync(15, 20, ("k", "newer"));
        var request = PessimisticLockRequest(10, 12, "k", -1, "k");
        request.WakeUpMode = PessimisticLockWakeUpMode.WakeUpModeForceLock;
        request.ReturnValues = true;
        var response = await _h.Engine.PessimisticLockAsync(request);

        Assert.Empty(response.Errors);
        var result = Assert.Single(response.Results);
        Assert.Equal(PessimisticLockKeyResultType.LockResultLockedWithConflict, result.Type);
        Assert.Equal(20UL, result.LockedWithConflictTs);
        Assert.Equal("newer", Str(result.Value));
        Assert.Equal(20UL, _h.LockOf("k")!.ForUpdateTs);
    }

    [Fact]
    public async Task Force_lock_mode_resumes_after_the_lock_is_released()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var request = PessimisticLockRequest(20, 20, "k", 0, "k");
        request.WakeUpMode = PessimisticLockWakeUpMode.WakeUpModeForceLock;
        var waiting = _h.Engine.PessimisticLockAsync(request).AsTask();
        await WaitUntilWaitingAsync(1);

        Assert.Empty((await _h.Engine.PrewriteAsync(PessimisticPrewrite(10, 10, "k", Put("k", "v")))).Errors);
        await _h.MustCommitAsync(10, 30, "k");

        var response = await waiting.WaitAsync(TestTimeout);
        Assert.Empty(response.Errors);
        Assert.Equal(PessimisticLockKeyResultType.LockResultLockedWithConflict, Assert.Single(response.Results).Type);
        Assert.Equal(20UL, _h.LockOf("k")!.StartTs);
        Assert.Equal(30UL, _h.LockOf("k")!.ForUpdateTs);
    }

    [Fact]
    public async Task Pessimistic_rollback_without_keys_clears_the_transaction_in_the_region()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "a", -1, "a", "b", "m")).Errors);
        Assert.Empty((await _h.PessimisticLockAsync(10, 30, "a", -1, "c")).Errors);
        Assert.Empty((await _h.PessimisticLockAsync(20, 20, "d", -1, "d")).Errors);

        var rollback = new PessimisticRollbackRequest { StartVersion = 10, ForUpdateTs = 20 };
        Assert.Empty((await _h.Engine.PessimisticRollbackAsync(rollback, K("a").Memory, K("l").Memory)).Errors);

        Assert.False(_h.HasLock("a"));
        Assert.False(_h.HasLock("b"));
        Assert.True(_h.HasLock("c"));
        Assert.True(_h.HasLock("d"));
        Assert.True(_h.HasLock("m"));
        Assert.Empty(_h.Writes("a"));
    }

    [Fact]
    public async Task Pessimistic_rollback_without_keys_goes_through_batches()
    {
        var keys = Enumerable.Range(0, 600).Select(i => $"k{i:D4}").ToArray();
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, keys[0], -1, keys)).Errors);

        var rollback = new PessimisticRollbackRequest { StartVersion = 10, ForUpdateTs = 10 };
        Assert.Empty((await _h.Engine.PessimisticRollbackAsync(rollback)).Errors);
        Assert.DoesNotContain(keys, _h.HasLock);
    }

    private async Task RollbackPessimisticAsync(ulong startTs, ulong forUpdateTs, string key)
    {
        var rollback = new PessimisticRollbackRequest { StartVersion = startTs, ForUpdateTs = forUpdateTs };
        rollback.Keys.Add(K(key));
        Assert.Empty((await _h.Engine.PessimisticRollbackAsync(rollback)).Errors);
    }

    [Fact]
    public async Task A_release_wakes_the_oldest_waiter_and_the_rest_after_the_wake_up_delay()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var younger = _h.PessimisticLockAsync(30, 30, "k", 0, "k");
        await WaitUntilWaitingAsync(1);
        var older = _h.PessimisticLockAsync(20, 20, "k", 0, "k");
        await WaitUntilWaitingAsync(2);

        await RollbackPessimisticAsync(10, 10, "k");
        var first = Assert.Single((await older.WaitAsync(TestTimeout)).Errors).Conflict;
        Assert.Equal(10UL, first.ConflictTs);
        Assert.False(younger.IsCompleted);
        Assert.Equal(1, _h.Engine.WaitingLockRequests);

        _h.Time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.False(younger.IsCompleted);
        _h.Time.Advance(TimeSpan.FromMilliseconds(1));
        var rest = Assert.Single((await younger.WaitAsync(TestTimeout)).Errors).Conflict;
        Assert.Equal(10UL, rest.ConflictTs);
        Assert.Equal(WriteConflict.Types.Reason.PessimisticRetry, rest.Reason);
        Assert.Equal(0, _h.Engine.WaitingLockRequests);
    }

    [Fact]
    public async Task A_newer_wake_up_on_the_key_pushes_the_delayed_wake_up_back()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var third = _h.PessimisticLockAsync(40, 40, "k", 0, "k");
        await WaitUntilWaitingAsync(1);
        var first = _h.PessimisticLockAsync(20, 20, "k", 0, "k");
        await WaitUntilWaitingAsync(2);

        await RollbackPessimisticAsync(10, 10, "k");
        Assert.NotNull(Assert.Single((await first.WaitAsync(TestTimeout)).Errors).Conflict);

        // The woken transaction locks the key again before the delay ends, then releases it.
        _h.Time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Empty((await _h.PessimisticLockAsync(20, 25, "k", -1, "k")).Errors);
        var second = _h.PessimisticLockAsync(30, 30, "k", 0, "k");
        await WaitUntilWaitingAsync(2);
        await RollbackPessimisticAsync(20, 25, "k");
        Assert.Equal(20UL, Assert.Single((await second.WaitAsync(TestTimeout)).Errors).Conflict.ConflictTs);

        _h.Time.Advance(TimeSpan.FromMilliseconds(15));
        Assert.False(third.IsCompleted);
        _h.Time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(20UL, Assert.Single((await third.WaitAsync(TestTimeout)).Errors).Conflict.ConflictTs);
    }

    [Fact]
    public async Task A_woken_force_lock_waiter_takes_the_lock_and_the_others_keep_waiting()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "k", -1, "k")).Errors);
        var legacy = _h.PessimisticLockAsync(30, 30, "k", 0, "k");
        await WaitUntilWaitingAsync(1);
        var forced = PessimisticLockRequest(20, 20, "k", 0, "k");
        forced.WakeUpMode = PessimisticLockWakeUpMode.WakeUpModeForceLock;
        var resumed = _h.Engine.PessimisticLockAsync(forced).AsTask();
        await WaitUntilWaitingAsync(2);

        await RollbackPessimisticAsync(10, 10, "k");
        Assert.Equal(PessimisticLockKeyResultType.LockResultNormal, Assert.Single((await resumed.WaitAsync(TestTimeout)).Results).Type);
        Assert.Equal(20UL, _h.LockOf("k")!.StartTs);

        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(legacy.IsCompleted);
        Assert.Equal(1, _h.Engine.WaitingLockRequests);

        await RollbackPessimisticAsync(20, 20, "k");
        Assert.Equal(20UL, Assert.Single((await legacy.WaitAsync(TestTimeout)).Errors).Conflict.ConflictTs);
    }
}
