using System.Globalization;
using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>
/// Concurrent optimistic and pessimistic "bank transfers" through the engine from several tasks at once, with
/// readers checking that every snapshot sees the same total: latches, conflicts and lock resolution under load.
/// </summary>
public sealed class ConcurrentTransferTests
{
    private const int Accounts = 6;
    private const int Initial = 100;
    private long _tso = 1000;

    private ulong NextTs() => (ulong)Interlocked.Increment(ref _tso);

    [Fact]
    public async Task Snapshots_always_see_the_same_total()
    {
        await using var h = new MvccHarness();
        var init = Enumerable.Range(0, Accounts).Select(i => ($"acct{i}", Initial.ToString(CultureInfo.InvariantCulture))).ToArray();
        await h.MustPutAsync(NextTs(), NextTs(), init);

        var committed = 0;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; n < 60; n++)
            {
                var from = random.Next(Accounts);
                var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                if (await TryTransferAsync(h, $"acct{from}", $"acct{to}", pessimistic: w % 2 == 1))
                {
                    Interlocked.Increment(ref committed);
                }
            }
        })).ToList();

        var reader = Task.Run(async () =>
        {
            while (!workers.All(t => t.IsCompleted))
            {
                Assert.Equal(Accounts * Initial, await ReadTotalAsync(h));
            }
        });

        await Task.WhenAll(workers);
        await reader;
        Assert.Equal(Accounts * Initial, await ReadTotalAsync(h));
        Assert.True(committed > 20, $"only {committed} transfers committed");
        Assert.Empty((await h.Engine.ScanLockAsync(new ScanLockRequest { MaxVersion = ulong.MaxValue }, default, default)).Locks);
    }

    private async Task<bool> TryTransferAsync(MvccHarness h, string from, string to, bool pessimistic)
    {
        var startTs = NextTs();
        var forUpdateTs = startTs;
        if (pessimistic)
        {
            var locked = await h.PessimisticLockAsync(startTs, forUpdateTs, from, 200, from, to);
            if (locked.Errors.Count > 0)
            {
                await h.Engine.PessimisticRollbackAsync(new PessimisticRollbackRequest { StartVersion = startTs, ForUpdateTs = forUpdateTs, Keys = { K(from), K(to) } });
                return false;
            }
        }

        var a = await ReadAsync(h, from, startTs);
        var b = await ReadAsync(h, to, startTs);
        if (a is null || b is null)
        {
            await AbortAsync(h, startTs, pessimistic, from, to);
            return false;
        }

        var request = PrewriteRequest(startTs, from, Put(from, (a.Value - 1).ToString(CultureInfo.InvariantCulture)), Put(to, (b.Value + 1).ToString(CultureInfo.InvariantCulture)));
        if (pessimistic)
        {
            request.ForUpdateTs = forUpdateTs;
            request.PessimisticActions.Add(TiKV.Proto.Kvrpcpb.PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck);
            request.PessimisticActions.Add(TiKV.Proto.Kvrpcpb.PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck);
        }

        var prewrite = await h.Engine.PrewriteAsync(request);
        if (prewrite.Errors.Count > 0)
        {
            await AbortAsync(h, startTs, pessimistic, from, to);
            return false;
        }

        // A reader may have pushed the primary's min_commit_ts past our commit ts: fetch a newer one, as clients do.
        var commitTs = NextTs();
        var commit = await h.CommitAsync(startTs, commitTs, from);
        while (commit.Error?.CommitTsExpired is not null)
        {
            commitTs = NextTs();
            commit = await h.CommitAsync(startTs, commitTs, from);
        }

        Assert.Null(commit.Error);
        await h.MustCommitAsync(startTs, commitTs, to);
        return true;
    }

    private static async Task AbortAsync(MvccHarness h, ulong startTs, bool pessimistic, string from, string to)
    {
        if (pessimistic)
        {
            await h.Engine.PessimisticRollbackAsync(new PessimisticRollbackRequest { StartVersion = startTs, ForUpdateTs = startTs, Keys = { K(from), K(to) } });
        }

        Assert.Null((await h.RollbackAsync(startTs, from, to)).Error);
    }

    /// <summary>Reads like a client: on a lock, ask its primary and either resolve it or read around a pushed one.</summary>
    private static async Task<int?> ReadAsync(MvccHarness h, string key, ulong ts)
    {
        var context = new Context();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var response = await h.GetAsync(key, ts, context);
            if (response.Error?.Locked is not { } locked)
            {
                Assert.Null(response.Error);
                return int.Parse(Str(response.Value), CultureInfo.InvariantCulture);
            }

            var status = await h.CheckTxnStatusAsync(Str(locked.PrimaryLock), locked.LockVersion, ts, ts);
            Assert.Null(status.Error);
            if (status.LockTtl == 0)
            {
                await h.Engine.ResolveLockAsync(new ResolveLockRequest { StartVersion = locked.LockVersion, CommitVersion = status.CommitVersion, Keys = { locked.Key } }, default, default);
            }
            else if (status.Action == Proto.Kvrpcpb.Action.MinCommitTspushed)
            {
                context.ResolvedLocks.Add(locked.LockVersion);
            }
            else
            {
                await Task.Yield();
            }
        }

        return null;
    }

    private async Task<int> ReadTotalAsync(MvccHarness h)
    {
        var ts = NextTs();
        var total = 0;
        for (var i = 0; i < Accounts; i++)
        {
            total += await ReadAsync(h, $"acct{i}", ts) ?? throw new InvalidOperationException("snapshot read kept meeting locks");
        }

        return total;
    }
}
