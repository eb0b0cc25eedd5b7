using System.Collections.Concurrent;
using System.Globalization;
using TiKV.DevCluster;
using TiKV.Client.Tests.Integration;
using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Concurrent transactional workloads with their invariants checked, while regions split under them.</summary>
public class TxnWorkloadTests
{
    private static Task<TiKV.DevCluster.DevCluster> StartAsync() =>
        TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3, ElectionTimeout = TimeSpan.FromMilliseconds(300) });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Transactions_spanning_regions_stay_atomic_while_regions_split(bool batched)
    {
        await using var cluster = await StartAsync();
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster, o => o.EnableBatchCommands = batched));
        const int Workers = 6;
        using var stop = new CancellationTokenSource();
        var errors = new ConcurrentQueue<Exception>();
        var committed = new int[Workers];

        // Each worker owns three keys far apart in the key space and writes the same counter to all of them per transaction.
        static string Key(int worker, int part) => $"{(char)('b' + part * 8)}-w{worker}";

        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            try
            {
                for (var round = 1; !stop.IsCancellationRequested; round++)
                {
                    await using var txn = await client.BeginTransactionAsync(new TransactionOptions { UseAsyncCommit = w % 3 == 1, Mode = w % 3 == 2 ? TransactionMode.Pessimistic : TransactionMode.Optimistic });
                    var value = round.ToString(CultureInfo.InvariantCulture);
                    for (var part = 0; part < 3; part++)
                    {
                        await txn.PutAsync(Key(w, part), value);
                    }

                    var commitTs = await txn.CommitAsync();
                    committed[w] = round;
                    var seen = await client.GetSnapshot(commitTs).BatchGetAsync(Enumerable.Range(0, 3).Select(part => Key(w, part)));
                    Assert.Equal(3, seen.Count);
                    Assert.All(seen, pair => Assert.Equal(value, pair.ValueAsString()));
                }
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        })).ToArray();

        var splits = new[] { "c", "d", "f", "h", "j", "k-w3", "n", "q", "s-w2" };
        foreach (var split in splits)
        {
            await Task.Delay(60);
            await cluster.SplitRegionAsync(Encoded(split));
        }

        await Task.Delay(200);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.Empty(errors);
        Assert.True(cluster.GetRegions().Count > splits.Length);

        var final = client.GetSnapshot(await client.GetTimestampAsync());
        var all = await final.ScanAsync("a", "z").ToListAsync();
        Assert.Equal(Workers * 3, all.Count);
        for (var w = 0; w < Workers; w++)
        {
            Assert.True(committed[w] > 0);
            for (var part = 0; part < 3; part++)
            {
                Assert.Equal(committed[w].ToString(CultureInfo.InvariantCulture), S(await final.GetAsync(Key(w, part))));
            }
        }
    }

    [Theory]
    [InlineData(TransactionMode.Optimistic)]
    [InlineData(TransactionMode.Pessimistic)]
    public async Task Concurrent_bank_transfers_keep_the_total_constant(TransactionMode mode)
    {
        await using var cluster = await StartAsync();
        await cluster.SplitRegionAsync(Encoded("acct-05"));
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(cluster));
        const int Accounts = 10;
        const int Initial = 100;
        static string Account(int i) => $"acct-{i:D2}";

        await using (var setup = await client.BeginTransactionAsync())
        {
            for (var i = 0; i < Accounts; i++)
            {
                setup.Set(Account(i), Initial.ToString(CultureInfo.InvariantCulture));
            }

            await setup.CommitAsync();
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var errors = new ConcurrentQueue<Exception>();
        var transfers = 0;
        var retries = 0;
        var transferers = Enumerable.Range(0, 4).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var from = random.Next(Accounts);
                    var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                    var amount = random.Next(1, 20);
                    while (true)
                    {
                        try
                        {
                            await TransferAsync(client, mode, Account(from), Account(to), amount);
                            Interlocked.Increment(ref transfers);
                            break;
                        }
                        catch (TiKVException ex) when (ex.IsRetryable)
                        {
                            Interlocked.Increment(ref retries);
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        })).ToArray();

        var audits = 0;
        var auditor = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var snapshot = client.GetSnapshot(await client.GetTimestampAsync());
                    var balances = await snapshot.ScanAsync("acct-", "acct-~").ToListAsync();
                    Assert.Equal(Accounts, balances.Count);
                    Assert.Equal(Accounts * Initial, balances.Sum(b => int.Parse(b.ValueAsString(), CultureInfo.InvariantCulture)));
                    audits++;
                }
            }
            catch (Exception ex)
            {
                errors.Enqueue(ex);
            }
        });

        await Task.WhenAll([.. transferers, auditor]);
        Assert.Empty(errors);
        Assert.True(transfers > 0);
        Assert.True(audits > 0);
        var final = await client.GetSnapshot(await client.GetTimestampAsync()).ScanAsync("acct-", "acct-~").ToListAsync();
        Assert.Equal(Accounts * Initial, final.Sum(b => int.Parse(b.ValueAsString(), CultureInfo.InvariantCulture)));
    }

    private static async Task TransferAsync(TiKVClient client, TransactionMode mode, string from, string to, int amount)
    {
        await using var txn = await client.BeginTransactionAsync(new TransactionOptions { Mode = mode });
        if (mode == TransactionMode.Pessimistic)
        {
            await txn.LockKeysAsync(from, to);
        }

        var balances = await txn.BatchGetAsync([from, to]);
        var fromBalance = int.Parse(balances[0].ValueAsString(), CultureInfo.InvariantCulture);
        var toBalance = int.Parse(balances[1].ValueAsString(), CultureInfo.InvariantCulture);
        if (fromBalance < amount)
        {
            return;
        }

        await txn.PutAsync(from, (fromBalance - amount).ToString(CultureInfo.InvariantCulture));
        await txn.PutAsync(to, (toBalance + amount).ToString(CultureInfo.InvariantCulture));
        await txn.CommitAsync();
    }
}
