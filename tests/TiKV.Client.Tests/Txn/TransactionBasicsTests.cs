using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Snapshot isolation, read-your-writes, conflicts and the write API against an in-process DevCluster.</summary>
public class TransactionBasicsTests : IClassFixture<TxnClusterFixture>
{
    private readonly TxnClusterFixture _fixture;

    public TransactionBasicsTests(TxnClusterFixture fixture) => _fixture = fixture;

    private TiKVClient Client => _fixture.Client;

    [Fact]
    public async Task Commit_is_visible_to_later_snapshots_and_invisible_to_earlier_ones()
    {
        var p = Prefix("visible");
        var before = await Client.GetTimestampAsync();
        await using var txn = await Client.BeginTransactionAsync();
        await txn.PutAsync(p + "a", "1");
        await txn.PutAsync(p + "b", "2");
        var commitTs = await txn.CommitAsync();
        Assert.True(commitTs > txn.StartTimestamp);
        Assert.Equal(commitTs, txn.CommitTimestamp);

        var earlier = Client.GetSnapshot(before);
        Assert.Null(await earlier.GetAsync(p + "a"));
        Assert.Empty(await earlier.ScanAsync(p, p + "~").ToListAsync());

        var atCommit = Client.GetSnapshot(commitTs);
        Assert.Equal("1", S(await atCommit.GetAsync(p + "a")));
        var justBefore = Client.GetSnapshot(commitTs - 1);
        Assert.Null(await justBefore.GetAsync(p + "a"));

        var later = Client.GetSnapshot(await Client.GetTimestampAsync());
        Assert.Equal([new KvPair(p + "a", "1"), new KvPair(p + "b", "2")], await later.BatchGetAsync([p + "b", p + "a", p + "zz"]));
        Assert.Equal([new KvPair(p + "a", "1"), new KvPair(p + "b", "2")], await later.ScanAsync(p, p + "~").ToListAsync());
        Assert.Equal([new KvPair(p + "b", "2"), new KvPair(p + "a", "1")], await later.ReverseScanAsync(p + "~", p).ToListAsync());
    }

    [Fact]
    public async Task Reads_see_the_transactions_own_writes_merged_over_the_snapshot()
    {
        var p = Prefix("ryw");
        await using (var setup = await Client.BeginTransactionAsync())
        {
            foreach (var k in new[] { "a", "c", "e", "g" })
            {
                setup.Set(p + k, "old-" + k);
            }

            await setup.CommitAsync();
        }

        await using var txn = await Client.BeginTransactionAsync();
        await txn.PutAsync(p + "b", "new-b");
        await txn.PutAsync(p + "c", "new-c");
        await txn.DeleteAsync(p + "e");
        await txn.LockKeysAsync(p + "g");
        Assert.Equal("new-c", S(await txn.GetAsync(p + "c")));
        Assert.Null(await txn.GetAsync(p + "e"));
        Assert.Equal("old-a", S(await txn.GetAsync(p + "a")));
        Assert.Equal("old-g", S(await txn.GetAsync(p + "g")));

        var expected = new[] { new KvPair(p + "a", "old-a"), new KvPair(p + "b", "new-b"), new KvPair(p + "c", "new-c"), new KvPair(p + "g", "old-g") };
        Assert.Equal(expected, await txn.ScanAsync(p, p + "~").ToListAsync());
        Assert.Equal(expected.Reverse(), await txn.ReverseScanAsync(p + "~", p).ToListAsync());
        Assert.Equal(expected.Take(2), await txn.ScanAsync(p, p + "~", limit: 2).ToListAsync());
        Assert.Equal([expected[1], expected[2]], await txn.BatchGetAsync([p + "b", p + "c", p + "e"]));

        // Another snapshot does not see the pending writes.
        Assert.Equal("old-c", S(await Client.GetSnapshot(await Client.GetTimestampAsync()).GetAsync(p + "c")));
        await txn.CommitAsync();
        var after = Client.GetSnapshot(await Client.GetTimestampAsync());
        Assert.Equal(expected, await after.ScanAsync(p, p + "~").ToListAsync());
    }

    [Fact]
    public async Task Second_of_two_conflicting_optimistic_transactions_fails_with_WriteConflictException()
    {
        var p = Prefix("conflict");
        await using var first = await Client.BeginTransactionAsync();
        await using var second = await Client.BeginTransactionAsync();
        first.Set(p + "k", "first");
        second.Set(p + "k", "second");
        second.Set(p + "other", "second");
        await first.CommitAsync();

        var ex = await Assert.ThrowsAsync<WriteConflictException>(() => second.CommitAsync());
        Assert.True(ex.IsRetryable);
        Assert.Equal(second.StartTimestamp, ex.StartTimestamp);
        Assert.Equal(first.StartTimestamp, ex.ConflictStartTimestamp);
        Assert.Equal(K(p + "k"), ex.Key);
        Assert.IsAssignableFrom<KeyException>(ex);
        await second.BackgroundWork;

        var now = Client.GetSnapshot(await Client.GetTimestampAsync());
        Assert.Equal("first", S(await now.GetAsync(p + "k")));
        Assert.Null(await now.GetAsync(p + "other"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.CommitAsync());
    }

    [Fact]
    public async Task Insert_fails_with_KeyAlreadyExistsException_at_prewrite_when_the_key_exists()
    {
        var p = Prefix("insert");
        await using (var setup = await Client.BeginTransactionAsync())
        {
            await setup.InsertAsync(p + "k", "v1");
            await setup.CommitAsync();
        }

        await using var txn = await Client.BeginTransactionAsync();
        await txn.InsertAsync(p + "k", "v2");
        var ex = await Assert.ThrowsAsync<KeyAlreadyExistsException>(() => txn.CommitAsync());
        Assert.Equal(K(p + "k"), ex.Key);
        Assert.False(ex.IsRetryable);

        // Deleting first makes the insert a plain write.
        await using var again = await Client.BeginTransactionAsync();
        await again.DeleteAsync(p + "k");
        await again.InsertAsync(p + "k", "v3");
        await again.CommitAsync();
        Assert.Equal("v3", S(await Client.GetSnapshot(await Client.GetTimestampAsync()).GetAsync(p + "k")));
    }

    [Fact]
    public async Task Optimistic_LockKeys_fails_the_commit_when_a_locked_key_changed()
    {
        var p = Prefix("optlock");
        await using var reader = await Client.BeginTransactionAsync();
        Assert.Null(await reader.GetAsync(p + "guard"));
        await reader.LockKeysAsync(p + "guard");
        reader.Set(p + "result", "computed from guard");

        await using (var writer = await Client.BeginTransactionAsync())
        {
            writer.Set(p + "guard", "changed");
            await writer.CommitAsync();
        }

        await Assert.ThrowsAsync<WriteConflictException>(() => reader.CommitAsync());
    }

    [Fact]
    public async Task Rollback_and_dispose_discard_writes_and_finished_transactions_refuse_work()
    {
        var p = Prefix("rollback");
        var txn = await Client.BeginTransactionAsync();
        txn.Set(p + "k", "v");
        await txn.RollbackAsync();
        await txn.RollbackAsync();
        Assert.Throws<InvalidOperationException>(() => txn.Set(p + "k", "again"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => txn.CommitAsync());
        await txn.DisposeAsync();

        await using (var disposed = await Client.BeginTransactionAsync())
        {
            disposed.Set(p + "k", "v");
        }

        Assert.Null(await Client.GetSnapshot(await Client.GetTimestampAsync()).GetAsync(p + "k"));

        await using var empty = await Client.BeginTransactionAsync();
        Assert.Equal(0UL, await empty.CommitAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => empty.RollbackAsync());
    }

    [Fact]
    public async Task Bad_input_is_rejected_with_a_clear_error()
    {
        await using var txn = await Client.BeginTransactionAsync();
        Assert.Throws<ArgumentException>(() => txn.Set(ReadOnlyMemory<byte>.Empty, K("v")));
        Assert.Throws<ArgumentException>(() => txn.Set(new byte[Client.Options.MaxKeySize + 1], K("v")));
        Assert.Throws<ArgumentException>(() => txn.ScanAsync("b", "a"));
        Assert.Throws<ArgumentException>(() => txn.ReverseScanAsync(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.GetSnapshot(0));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.BeginTransactionAsync(new TransactionOptions { LockWaitTimeout = TimeSpan.FromSeconds(-2) }));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.BeginTransactionAsync(new TransactionOptions { StartTimestamp = 0 }));

        // Empty values are legal in the transactional API.
        var p = Prefix("empty");
        txn.Set(p + "e", "");
        await txn.CommitAsync();
        var value = await Client.GetSnapshot(await Client.GetTimestampAsync()).GetAsync(p + "e");
        Assert.NotNull(value);
        Assert.Empty(value);
    }
}
