using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Pessimistic transactions: lock waiting, deadlocks, lock wait timeouts and TTL heartbeats.</summary>
public class PessimisticTests : IClassFixture<TxnClusterFixture>
{
    private static readonly TransactionOptions Pessimistic = new() { Mode = TransactionMode.Pessimistic };

    private readonly TxnClusterFixture _fixture;

    public PessimisticTests(TxnClusterFixture fixture) => _fixture = fixture;

    private TiKVClient Client => _fixture.Client;

    private async Task<Snapshot> NowAsync() => Client.GetSnapshot(await Client.GetTimestampAsync());

    [Fact]
    public async Task A_second_locker_waits_for_the_holder_then_reads_its_committed_value()
    {
        var p = Prefix("wait");
        await using var holder = await Client.BeginTransactionAsync(Pessimistic);
        await using var waiter = await Client.BeginTransactionAsync(Pessimistic);
        await holder.PutAsync(p + "k", "holder");

        var waiting = waiter.LockKeysAsync(p + "k");
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, "the waiter must not get the lock while the holder has it");
        await holder.CommitAsync();
        await waiting;

        // The locked read returns the latest committed value, not the waiter's older snapshot.
        Assert.Equal("holder", S(await waiter.GetAsync(p + "k")));
        await waiter.PutAsync(p + "k", S(await waiter.GetAsync(p + "k")) + "+waiter");
        await waiter.CommitAsync();
        Assert.Equal("holder+waiter", S(await (await NowAsync()).GetAsync(p + "k")));
    }

    [Fact]
    public async Task Two_transactions_locking_in_opposite_order_deadlock_and_one_gives_way()
    {
        var p = Prefix("deadlock");
        await using var first = await Client.BeginTransactionAsync(Pessimistic);
        await using var second = await Client.BeginTransactionAsync(Pessimistic);
        await first.PutAsync(p + "1", "first");
        await second.PutAsync(p + "2", "second");

        // Each now waits for the other. TiKV's detector fails whichever request closes the cycle.
        var firstWaits = first.PutAsync(p + "2", "first").AsTask();
        await Task.Delay(100);
        var secondWaits = second.PutAsync(p + "1", "second").AsTask();
        var failed = await Task.WhenAny(firstWaits, secondWaits);
        var ex = await Assert.ThrowsAsync<DeadlockException>(() => failed);
        Assert.True(ex.IsRetryable);
        var (loser, winner, winnerWaits) = failed == secondWaits ? (second, first, firstWaits) : (first, second, secondWaits);
        Assert.Equal(winner.StartTimestamp, ex.LockTimestamp);

        await loser.RollbackAsync();
        await winnerWaits;
        await winner.CommitAsync();
        var expected = winner == first ? "first" : "second";
        var now = await NowAsync();
        Assert.Equal(expected, S(await now.GetAsync(p + "1")));
        Assert.Equal(expected, S(await now.GetAsync(p + "2")));
    }

    [Fact]
    public async Task A_lock_held_longer_than_the_wait_timeout_fails_the_waiter()
    {
        var p = Prefix("timeout");
        await using var holder = await Client.BeginTransactionAsync(Pessimistic);
        await holder.LockKeysAsync(p + "k");

        await using var impatient = await Client.BeginTransactionAsync(new TransactionOptions { Mode = TransactionMode.Pessimistic, LockWaitTimeout = TimeSpan.FromMilliseconds(300) });
        var ex = await Assert.ThrowsAsync<LockWaitTimeoutException>(() => impatient.LockKeysAsync(p + "k"));
        Assert.Equal(holder.StartTimestamp, ex.HolderStartTimestamp);
        Assert.Equal(K(p + "k"), ex.Key);

        await using var noWait = await Client.BeginTransactionAsync(new TransactionOptions { Mode = TransactionMode.Pessimistic, LockWaitTimeout = TimeSpan.Zero });
        await Assert.ThrowsAsync<LockWaitTimeoutException>(() => noWait.PutAsync(p + "k", "x").AsTask());

        await holder.RollbackAsync();
        await noWait.PutAsync(p + "k", "x");
        await noWait.CommitAsync();
    }

    [Fact]
    public async Task Heartbeats_keep_a_slow_transactions_locks_alive_past_their_TTL()
    {
        var p = Prefix("heartbeat");
        var options = new TransactionOptions
        {
            Mode = TransactionMode.Pessimistic,
            ManagedLockTtl = TimeSpan.FromMilliseconds(1000),
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        };
        await using var slow = await Client.BeginTransactionAsync(options);
        await slow.PutAsync(p + "k", "slow");
        await Task.Delay(2500);

        // Without heartbeats the lock would have expired and this check would roll it back.
        await using var other = await Client.BeginTransactionAsync(new TransactionOptions { Mode = TransactionMode.Pessimistic, LockWaitTimeout = TimeSpan.Zero });
        await Assert.ThrowsAsync<LockWaitTimeoutException>(() => other.LockKeysAsync(p + "k"));
        await slow.CommitAsync();
        Assert.Equal("slow", S(await (await NowAsync()).GetAsync(p + "k")));
    }

    [Fact]
    public async Task Pessimistic_insert_fails_at_once_when_the_key_exists()
    {
        var p = Prefix("pinsert");
        await using (var setup = await Client.BeginTransactionAsync(Pessimistic))
        {
            await setup.InsertAsync(p + "k", "v1");
            await setup.CommitAsync();
        }

        await using var txn = await Client.BeginTransactionAsync(Pessimistic);
        await Assert.ThrowsAsync<KeyAlreadyExistsException>(() => txn.InsertAsync(p + "k", "v2").AsTask());
        await txn.DeleteAsync(p + "k");
        await txn.InsertAsync(p + "k", "v3");
        await txn.CommitAsync();
        Assert.Equal("v3", S(await (await NowAsync()).GetAsync(p + "k")));
    }

    [Fact]
    public async Task Rollback_releases_pessimistic_locks()
    {
        var p = Prefix("prollback");
        var txn = await Client.BeginTransactionAsync(Pessimistic);
        await txn.LockKeysAsync(p + "a", p + "b");
        await txn.DisposeAsync();

        await using var next = await Client.BeginTransactionAsync(new TransactionOptions { Mode = TransactionMode.Pessimistic, LockWaitTimeout = TimeSpan.Zero });
        await next.LockKeysAsync(p + "a", p + "b");
        await next.CommitAsync();
    }
}
