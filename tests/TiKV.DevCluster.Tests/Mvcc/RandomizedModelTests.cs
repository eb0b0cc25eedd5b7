using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>
/// Random interleavings of Percolator transactions over a few keys, checked against a model of committed
/// snapshots: every read at ts must see exactly the newest version committed at or before ts, and no two
/// committed transactions that wrote the same key may overlap in time (snapshot isolation).
/// </summary>
public sealed class RandomizedModelTests
{
    private static readonly string[] Keys = ["a", "b", "c", "d", "e"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Reads_always_match_the_committed_model(int seed)
    {
        await using var h = new MvccHarness();
        var run = new ModelRun(h, new Random(seed));
        for (var step = 0; step < 600; step++)
        {
            await run.StepAsync();
        }

        await run.FinishAsync();
        run.AssertSnapshotIsolation();
        Assert.True(run.Committed > 10, $"only {run.Committed} transactions committed");
    }

    private enum TxnState
    {
        Writing,
        Prewritten,
        Done,
    }

    private sealed class ModelTxn(ulong startTs, List<(string Key, string? Value)> writes)
    {
        public ulong StartTs { get; } = startTs;

        public List<(string Key, string? Value)> Writes { get; } = writes;

        public string Primary => Writes[0].Key;

        public TxnState State { get; set; }

        public ulong CommitTs { get; set; }
    }

    private sealed class ModelRun(MvccHarness h, Random random)
    {
        private readonly Dictionary<string, List<(ulong CommitTs, string? Value)>> _versions = Keys.ToDictionary(k => k, _ => new List<(ulong, string?)>());
        private readonly List<ModelTxn> _active = [];
        private readonly List<ModelTxn> _committed = [];
        private ulong _tso = 100;

        public int Committed => _committed.Count;

        public async Task StepAsync()
        {
            switch (random.Next(6))
            {
                case 0 when _active.Count < 4:
                    Begin();
                    break;
                case 1:
                case 2:
                    if (Pick(TxnState.Writing) is { } writing)
                    {
                        await PrewriteAsync(writing);
                    }

                    break;
                case 3:
                    if (Pick(TxnState.Prewritten) is { } prewritten)
                    {
                        await CommitAsync(prewritten, commitSecondaries: random.Next(2) == 0);
                    }

                    break;
                case 4:
                    await PointReadAsync(Keys[random.Next(Keys.Length)]);
                    break;
                default:
                    await ScanReadAsync();
                    break;
            }
        }

        public async Task FinishAsync()
        {
            foreach (var txn in _active.ToList())
            {
                if (txn.State == TxnState.Prewritten)
                {
                    await CommitAsync(txn, commitSecondaries: false);
                }
            }

            foreach (var key in Keys)
            {
                await PointReadAsync(key);
            }

            await ScanReadAsync();
        }

        public void AssertSnapshotIsolation()
        {
            foreach (var t1 in _committed)
            {
                foreach (var t2 in _committed)
                {
                    if (t1 == t2 || !t1.Writes.Any(w => t2.Writes.Any(x => x.Key == w.Key)))
                    {
                        continue;
                    }

                    Assert.True(t1.CommitTs < t2.StartTs || t2.CommitTs < t1.StartTs, $"write-write overlap between {t1.StartTs}..{t1.CommitTs} and {t2.StartTs}..{t2.CommitTs}");
                }
            }
        }

        private ModelTxn? Pick(TxnState state)
        {
            var candidates = _active.Where(t => t.State == state).ToList();
            return candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
        }

        private void Begin()
        {
            var startTs = ++_tso;
            var keys = Keys.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
            var writes = keys.Select(k => (k, random.Next(4) == 0 ? (string?)null : $"{k}@{startTs}")).ToList();
            _active.Add(new ModelTxn(startTs, writes));
        }

        private async Task PrewriteAsync(ModelTxn txn)
        {
            var mutations = txn.Writes.Select(w => w.Value is null ? Delete(w.Key) : Put(w.Key, w.Value)).ToArray();
            var response = await h.PrewriteAsync(txn.StartTs, txn.Primary, mutations);
            if (response.Errors.Count == 0)
            {
                txn.State = TxnState.Prewritten;
                return;
            }

            foreach (var error in response.Errors)
            {
                Assert.True(error.Locked is not null || error.Conflict is not null, $"unexpected prewrite error {error}");
                if (error.Locked is { } locked)
                {
                    await ResolveAsync(locked, ++_tso);
                }
            }

            await AbortAsync(txn);
        }

        private async Task CommitAsync(ModelTxn txn, bool commitSecondaries)
        {
            var commitTs = ++_tso;
            var primary = await h.CommitAsync(txn.StartTs, commitTs, txn.Primary);
            if (primary.Error is not null)
            {
                // A reader rolled the expired transaction back first.
                Assert.NotNull(primary.Error.TxnLockNotFound);
                await AbortAsync(txn);
                return;
            }

            txn.CommitTs = commitTs;
            txn.State = TxnState.Done;
            _active.Remove(txn);
            _committed.Add(txn);
            foreach (var (key, value) in txn.Writes)
            {
                _versions[key].Add((commitTs, value));
            }

            if (commitSecondaries && txn.Writes.Count > 1)
            {
                await h.MustCommitAsync(txn.StartTs, commitTs, txn.Writes.Skip(1).Select(w => w.Key).ToArray());
            }
        }

        private async Task AbortAsync(ModelTxn txn)
        {
            var rollback = await h.RollbackAsync(txn.StartTs, txn.Writes.Select(w => w.Key).ToArray());
            Assert.Null(rollback.Error);
            txn.State = TxnState.Done;
            _active.Remove(txn);
        }

        private string? Expected(string key, ulong ts)
            => _versions[key].Where(v => v.CommitTs <= ts).OrderByDescending(v => v.CommitTs).Select(v => v.Value).FirstOrDefault();

        private async Task PointReadAsync(string key)
        {
            var ts = ++_tso;
            var context = new Context();
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var response = await h.GetAsync(key, ts, context);
                if (response.Error?.Locked is { } locked)
                {
                    await ResolveAsync(locked, ts, context);
                    continue;
                }

                Assert.Null(response.Error);
                Assert.Equal(Expected(key, ts), response.NotFound ? null : Str(response.Value));
                return;
            }

            Assert.Fail($"read of {key} at {ts} kept meeting locks");
        }

        private async Task ScanReadAsync()
        {
            var ts = ++_tso;
            var context = new Context();
            var reverse = random.Next(2) == 0;
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var response = await h.Engine.ScanAsync(new ScanRequest { Version = ts, Limit = 100, Reverse = reverse, Context = context });
                Assert.Null(response.Error);
                var locked = response.Pairs.Where(p => p.Error is not null).ToList();
                if (locked.Count > 0)
                {
                    foreach (var pair in locked)
                    {
                        await ResolveAsync(pair.Error.Locked, ts, context);
                    }

                    continue;
                }

                var expected = Keys.Select(k => (k, Expected(k, ts))).Where(p => p.Item2 is not null).Select(p => $"{p.k}={p.Item2}").ToList();
                if (reverse)
                {
                    expected.Reverse();
                }

                Assert.Equal(expected, response.Pairs.Select(p => $"{Str(p.Key)}={Str(p.Value)}"));
                return;
            }

            Assert.Fail($"scan at {ts} kept meeting locks");
        }

        /// <summary>What a client's lock resolver does: ask the primary, then commit, roll back, or read around it.</summary>
        private async Task ResolveAsync(LockInfo locked, ulong callerTs, Context? context = null)
        {
            // Sometimes treat the lock as expired, so readers roll back transactions that are still running.
            var currentTs = random.Next(4) == 0 ? Ts(1UL << 40) : callerTs;
            var status = await h.CheckTxnStatusAsync(Str(locked.PrimaryLock), locked.LockVersion, callerTs, currentTs);
            Assert.Null(status.Error);
            if (status.LockTtl > 0)
            {
                // Alive: its min_commit_ts now exceeds the read, which may skip this transaction's locks.
                if (context is not null && status.Action == Proto.Kvrpcpb.Action.MinCommitTspushed)
                {
                    context.ResolvedLocks.Add(locked.LockVersion);
                }

                return;
            }

            var resolve = new ResolveLockRequest { StartVersion = locked.LockVersion, CommitVersion = status.CommitVersion };
            resolve.Keys.Add(locked.Key);
            var response = await h.Engine.ResolveLockAsync(resolve, ByteString.Empty.Memory, ByteString.Empty.Memory);
            Assert.Null(response.Error);
        }
    }
}
