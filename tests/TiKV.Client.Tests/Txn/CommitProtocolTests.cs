using TiKV.Client.Txn.Internal;
using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Async commit and one-phase commit round trips, fallbacks and async-commit recovery.</summary>
public class CommitProtocolTests : IClassFixture<TxnClusterFixture>
{
    private readonly TxnClusterFixture _fixture;

    public CommitProtocolTests(TxnClusterFixture fixture) => _fixture = fixture;

    private TiKVClient Client => _fixture.Client;

    private async Task<Snapshot> NowAsync() => Client.GetSnapshot(await Client.GetTimestampAsync());

    [Fact]
    public async Task Async_commit_round_trip_across_regions()
    {
        var p = Prefix("async");
        await _fixture.Cluster.SplitRegionAsync(Encoded(p + "m"));
        await using var txn = await Client.BeginTransactionAsync(new TransactionOptions { UseAsyncCommit = true });
        txn.Set(p + "a", "1");
        txn.Set(p + "b", "2");
        txn.Set(p + "x", "3");
        var commitTs = await txn.CommitAsync();
        Assert.Equal("async_commit", txn.CommitProtocol);
        Assert.True(commitTs > txn.StartTimestamp);
        await txn.BackgroundWork;

        Assert.Equal([new KvPair(p + "a", "1"), new KvPair(p + "b", "2"), new KvPair(p + "x", "3")], await Client.GetSnapshot(commitTs).ScanAsync(p, p + "~").ToListAsync());
        Assert.Empty(await Client.GetSnapshot(commitTs - 1).ScanAsync(p, p + "~").ToListAsync());
    }

    [Fact]
    public async Task Async_commit_transaction_whose_client_died_after_prewrite_is_recovered_as_committed()
    {
        var p = Prefix("asyncrecover");
        await _fixture.Cluster.SplitRegionAsync(Encoded(p + "m"));
        var crashed = await Client.BeginTransactionAsync(new TransactionOptions { UseAsyncCommit = true, LockTtl = TimeSpan.FromMilliseconds(300) });
        crashed.Set(p + "a", "1");
        crashed.Set(p + "x", "2");
        crashed.Set(p + "y", "3");
        await crashed.CommitUpToAsync(CommitStage.Prewrite, CancellationToken.None);

        // Every prewrite succeeded, so the transaction is committed although no commit request was ever sent:
        // the reader waits for the TTL, checks all secondaries and commits them at the largest min_commit_ts.
        var reader = await NowAsync();
        Assert.Equal([new KvPair(p + "a", "1"), new KvPair(p + "x", "2"), new KvPair(p + "y", "3")], await reader.ScanAsync(p, p + "~").ToListAsync());
        var txnCore = await Client.GetTxnCoreAsync(CancellationToken.None);
        Assert.True(txnCore.LockResolver.TryGetResolved(crashed.StartTimestamp, out var status));
        Assert.True(status.IsCommitted);
        Assert.True(status.CommitTs > crashed.StartTimestamp && status.CommitTs < reader.Timestamp);
    }

    [Fact]
    public async Task One_phase_commit_round_trip_and_fallback_when_mutations_span_regions()
    {
        var p = Prefix("onepc");
        await using (var txn = await Client.BeginTransactionAsync(new TransactionOptions { TryOnePhaseCommit = true }))
        {
            txn.Set(p + "a", "1");
            txn.Set(p + "b", "2");
            var commitTs = await txn.CommitAsync();
            Assert.Equal("1pc", txn.CommitProtocol);
            Assert.Equal([new KvPair(p + "a", "1"), new KvPair(p + "b", "2")], await Client.GetSnapshot(commitTs).ScanAsync(p, p + "~").ToListAsync());
            Assert.Empty(await Client.GetSnapshot(commitTs - 1).ScanAsync(p, p + "~").ToListAsync());
        }

        await _fixture.Cluster.SplitRegionAsync(Encoded(p + "m"));
        await using (var spanning = await Client.BeginTransactionAsync(new TransactionOptions { TryOnePhaseCommit = true, UseAsyncCommit = true }))
        {
            spanning.Set(p + "a", "10");
            spanning.Set(p + "z", "20");
            var commitTs = await spanning.CommitAsync();
            Assert.Equal("async_commit", spanning.CommitProtocol);
            await spanning.BackgroundWork;
            Assert.Equal([new KvPair(p + "a", "10"), new KvPair(p + "b", "2"), new KvPair(p + "z", "20")], await Client.GetSnapshot(commitTs).ScanAsync(p, p + "~").ToListAsync());
        }

        await using (var conflicting = await Client.BeginTransactionAsync(new TransactionOptions { TryOnePhaseCommit = true }))
        {
            await using (var winner = await Client.BeginTransactionAsync())
            {
                winner.Set(p + "b", "winner");
                await winner.CommitAsync();
            }

            conflicting.Set(p + "b", "loser");
            await Assert.ThrowsAsync<WriteConflictException>(() => conflicting.CommitAsync());
        }

        Assert.Equal("winner", S(await (await NowAsync()).GetAsync(p + "b")));
    }

    [Fact]
    public async Task Large_async_commit_transactions_fall_back_to_two_phase_commit()
    {
        var p = Prefix("asyncbig");
        await using var txn = await Client.BeginTransactionAsync(new TransactionOptions { UseAsyncCommit = true });
        for (var i = 0; i < 300; i++)
        {
            txn.Set($"{p}{i:D4}", "v");
        }

        var commitTs = await txn.CommitAsync();
        Assert.Equal("2pc", txn.CommitProtocol);
        await txn.BackgroundWork;
        Assert.Equal(300, await Client.GetSnapshot(commitTs).ScanAsync(p, p + "~").CountAsync());
    }
}
