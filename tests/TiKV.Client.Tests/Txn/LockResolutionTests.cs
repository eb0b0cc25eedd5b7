using TiKV.Client.Txn.Internal;
using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Clients that die mid-commit, and the readers and writers that clean up after them.</summary>
public class LockResolutionTests : IClassFixture<TxnClusterFixture>
{
    private readonly TxnClusterFixture _fixture;

    public LockResolutionTests(TxnClusterFixture fixture) => _fixture = fixture;

    private TiKVClient Client => _fixture.Client;

    private async Task<Snapshot> NowAsync() => Client.GetSnapshot(await Client.GetTimestampAsync());

    private async Task SeedAsync(params (string Key, string Value)[] pairs)
    {
        await using var txn = await Client.BeginTransactionAsync();
        foreach (var (key, value) in pairs)
        {
            txn.Set(key, value);
        }

        await txn.CommitAsync();
    }

    [Fact]
    public async Task Locks_of_a_transaction_that_crashed_after_prewrite_are_rolled_back_by_readers_once_their_TTL_expires()
    {
        var p = Prefix("crash");
        await SeedAsync((p + "a", "old-a"), (p + "b", "old-b"));
        var crashed = await Client.BeginTransactionAsync(new TransactionOptions { LockTtl = TimeSpan.FromMilliseconds(500) });
        crashed.Set(p + "a", "new-a");
        crashed.Set(p + "b", "new-b");
        Assert.Equal(0UL, await crashed.CommitUpToAsync(CommitStage.Prewrite, CancellationToken.None));

        // A reader does not wait for a live transaction: it pushes its min_commit_ts past the snapshot and reads around the lock.
        var reader = await NowAsync();
        Assert.Equal("old-b", S(await reader.GetAsync(p + "b")));
        Assert.Equal([new KvPair(p + "a", "old-a"), new KvPair(p + "b", "old-b")], await reader.ScanAsync(p, p + "~").ToListAsync());

        // Once the TTL has passed, the next reader to meet the lock finds it expired and rolls the transaction back.
        await Task.Delay(600);
        Assert.Equal("old-a", S(await (await NowAsync()).GetAsync(p + "a")));
        var txnCore = await Client.GetTxnCoreAsync(CancellationToken.None);
        Assert.True(txnCore.LockResolver.TryGetResolved(crashed.StartTimestamp, out var status));
        Assert.True(status.IsRolledBack);

        // The secondary's lock is resolved by the next writer that meets it.
        await using (var writer = await Client.BeginTransactionAsync())
        {
            writer.Set(p + "b", "writer");
            await writer.CommitAsync();
        }

        var after = await NowAsync();
        Assert.Equal("old-a", S(await after.GetAsync(p + "a")));
        Assert.Equal("writer", S(await after.GetAsync(p + "b")));
    }

    [Fact]
    public async Task A_reader_commits_the_secondaries_of_a_transaction_whose_primary_committed()
    {
        var p = Prefix("secondaries");
        await _fixture.Cluster.SplitRegionAsync(Encoded(p + "m"));
        await SeedAsync((p + "a", "old"), (p + "x", "old"), (p + "y", "old"));
        var crashed = await Client.BeginTransactionAsync();
        crashed.Set(p + "a", "new-a");
        crashed.Set(p + "x", "new-x");
        crashed.Set(p + "y", "new-y");
        var commitTs = await crashed.CommitUpToAsync(CommitStage.PrimaryCommit, CancellationToken.None);
        Assert.True(commitTs > crashed.StartTimestamp);

        var reader = await NowAsync();
        Assert.Equal("new-x", S(await reader.GetAsync(p + "x")));
        Assert.Equal([new KvPair(p + "a", "new-a"), new KvPair(p + "x", "new-x"), new KvPair(p + "y", "new-y")], await reader.ScanAsync(p, p + "~").ToListAsync());
        var txnCore = await Client.GetTxnCoreAsync(CancellationToken.None);
        Assert.True(txnCore.LockResolver.TryGetResolved(crashed.StartTimestamp, out var status));
        Assert.Equal(commitTs, status.CommitTs);

        // Before the commit_ts the old values remain.
        Assert.Equal("old", S(await Client.GetSnapshot(commitTs - 1).GetAsync(p + "y")));
    }

    [Fact]
    public async Task An_optimistic_prewrite_meeting_a_newer_transactions_lock_fails_at_once()
    {
        var p = Prefix("newer");
        var older = await Client.BeginTransactionAsync();
        var newer = await Client.BeginTransactionAsync(new TransactionOptions { LockTtl = TimeSpan.FromSeconds(30) });
        newer.Set(p + "k", "newer");
        await newer.CommitUpToAsync(CommitStage.Prewrite, CancellationToken.None);
        older.Set(p + "k", "older");
        var ex = await Assert.ThrowsAsync<WriteConflictException>(() => older.CommitAsync());
        Assert.Equal(newer.StartTimestamp, ex.ConflictStartTimestamp);
        await older.DisposeAsync();
    }
}
