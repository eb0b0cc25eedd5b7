using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>ResolveLock, ScanLock, GC and DeleteRange.</summary>
public sealed class ResolveAndMaintenanceTests : IAsyncLifetime
{
    private readonly MvccHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<ScanLockResponse> ScanLocksAsync(ulong maxVersion, uint limit = 0, string start = "", string end = "", string regionStart = "", string regionEnd = "")
        => await _h.Engine.ScanLockAsync(
            new ScanLockRequest { MaxVersion = maxVersion, Limit = limit, StartKey = K(start), EndKey = K(end) },
            K(regionStart).Memory,
            K(regionEnd).Memory);

    [Fact]
    public async Task Resolve_by_transaction_commits_every_lock_of_it_in_the_region()
    {
        await _h.MustPrewriteAsync(10, "a", Put("a", "1"), Put("b", "2"), Put("c", "3"), Put("z", "4"));
        await _h.MustPrewriteAsync(11, "m", Put("m", "other"));

        var response = await _h.Engine.ResolveLockAsync(new ResolveLockRequest { StartVersion = 10, CommitVersion = 20 }, K("a").Memory, K("y").Memory);
        Assert.Null(response.Error);
        Assert.Equal("2", await _h.MustGetAsync("b", 20));
        Assert.Equal("3", await _h.MustGetAsync("c", 20));
        Assert.True(_h.HasLock("z"));
        Assert.True(_h.HasLock("m"));
    }

    [Fact]
    public async Task Resolve_many_locks_goes_through_batches()
    {
        var mutations = Enumerable.Range(0, 700).Select(i => Put($"k{i:D4}", "v")).ToArray();
        await _h.MustPrewriteAsync(10, "k0000", mutations);
        await _h.Engine.ResolveLockAsync(new ResolveLockRequest { StartVersion = 10 }, default, default);
        Assert.Empty((await ScanLocksAsync(ulong.MaxValue)).Locks);
        Assert.All(Enumerable.Range(0, 700), i => Assert.Equal(WriteKind.Rollback, Assert.Single(_h.Writes($"k{i:D4}")).Kind));
    }

    [Fact]
    public async Task Resolve_by_txn_infos_commits_and_rolls_back_several_transactions()
    {
        await _h.MustPrewriteAsync(10, "a", Put("a", "1"));
        await _h.MustPrewriteAsync(11, "b", Put("b", "2"));
        var request = new ResolveLockRequest();
        request.TxnInfos.Add(new TxnInfo { Txn = 10, Status = 15 });
        request.TxnInfos.Add(new TxnInfo { Txn = 11, Status = 0 });
        Assert.Null((await _h.Engine.ResolveLockAsync(request, default, default)).Error);

        Assert.Equal("1", await _h.MustGetAsync("a", 15));
        Assert.Null(await _h.MustGetAsync("b", 30));
        Assert.False(_h.HasLock("b"));
    }

    [Fact]
    public async Task Resolve_by_keys_only_touches_those_keys()
    {
        await _h.MustPrewriteAsync(10, "a", Put("a", "1"), Put("b", "2"));
        var request = new ResolveLockRequest { StartVersion = 10, CommitVersion = 20 };
        request.Keys.Add(K("b"));
        Assert.Null((await _h.Engine.ResolveLockAsync(request, default, default)).Error);
        Assert.False(_h.HasLock("b"));
        Assert.True(_h.HasLock("a"));
    }

    [Fact]
    public async Task Resolve_with_a_commit_ts_not_after_start_ts_is_rejected()
    {
        await _h.MustPrewriteAsync(10, "a", Put("a", "1"));
        var response = await _h.Engine.ResolveLockAsync(new ResolveLockRequest { StartVersion = 10, CommitVersion = 5 }, default, default);
        Assert.Contains("InvalidTxnTso", response.Error.Abort, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_lock_filters_by_version_range_and_limit()
    {
        await _h.MustPrewriteAsync(10, "a", Put("a", "1"), Put("c", "1"));
        await _h.MustPrewriteAsync(30, "b", Put("b", "1"), Put("d", "1"));

        Assert.Equal(["a", "c"], (await ScanLocksAsync(20)).Locks.Select(l => Str(l.Key)));
        Assert.Equal(["a", "b", "c", "d"], (await ScanLocksAsync(30)).Locks.Select(l => Str(l.Key)));
        Assert.Equal(["a", "b"], (await ScanLocksAsync(30, limit: 2)).Locks.Select(l => Str(l.Key)));
        Assert.Equal(["b", "c"], (await ScanLocksAsync(30, start: "b", end: "d")).Locks.Select(l => Str(l.Key)));
        Assert.Equal(["c"], (await ScanLocksAsync(30, start: "b", regionStart: "bb", regionEnd: "d")).Locks.Select(l => Str(l.Key)));
        Assert.Equal(10UL, (await ScanLocksAsync(20)).Locks[0].LockVersion);
    }

    [Fact]
    public async Task Gc_keeps_the_newest_version_below_the_safe_point_and_everything_above()
    {
        await _h.MustPutAsync(10, 11, ("k", "v1"));
        await _h.MustPutAsync(20, 21, ("k", "v2"));
        await _h.MustPrewriteAsync(25, "k", LockOnly("k"));
        await _h.MustCommitAsync(25, 26, "k");
        await _h.RollbackAsync(27, "k");
        await _h.MustPutAsync(40, 41, ("k", "v4"));

        await _h.Engine.GcAsync(30, default, default);

        Assert.Equal([(41UL, WriteKind.Put), (21UL, WriteKind.Put)], _h.Writes("k"));
        Assert.Equal("v2", await _h.MustGetAsync("k", 30));
        Assert.Equal("v4", await _h.MustGetAsync("k", 41));
    }

    [Fact]
    public async Task Gc_removes_a_deleted_key_entirely_with_its_large_values()
    {
        var big = new byte[1000];
        await _h.MustPrewriteAsync(10, "k", Put("k", big));
        await _h.MustCommitAsync(10, 11, "k");
        await _h.MustPrewriteAsync(20, "k", Delete("k"));
        await _h.MustCommitAsync(20, 21, "k");
        await _h.MustPutAsync(30, 31, ("other", "x"));

        await _h.Engine.GcAsync(25, default, default);

        Assert.Empty(_h.Writes("k"));
        Assert.DoesNotContain(_h.Storage.Scan(ColumnFamily.Default, default, default), _ => true);
        Assert.Null(await _h.MustGetAsync("k", 40));
        Assert.Equal("x", await _h.MustGetAsync("other", 40));
    }

    [Fact]
    public async Task Gc_only_touches_its_range()
    {
        await _h.MustPutAsync(10, 11, ("a", "1"));
        await _h.MustPutAsync(12, 13, ("a", "2"));
        await _h.MustPutAsync(10, 11, ("b", "1"));
        await _h.MustPutAsync(12, 13, ("b", "2"));
        await _h.Engine.GcAsync(20, K("b").Memory, default);
        Assert.Equal(2, _h.Writes("a").Count);
        Assert.Single(_h.Writes("b"));
    }

    [Fact]
    public async Task Delete_range_removes_data_locks_and_versions()
    {
        await _h.MustPutAsync(10, 11, ("a", "1"), ("b", "2"), ("c", "3"));
        await _h.MustPrewriteAsync(20, "b", Put("b", "x"));

        var response = await _h.Engine.DeleteRangeAsync(new DeleteRangeRequest { StartKey = K("b"), EndKey = K("c") });
        Assert.Empty(response.Error);
        Assert.False(_h.HasLock("b"));
        Assert.Null(await _h.MustGetAsync("b", 30));
        Assert.Equal("1", await _h.MustGetAsync("a", 30));
        Assert.Equal("3", await _h.MustGetAsync("c", 30));

        response = await _h.Engine.DeleteRangeAsync(new DeleteRangeRequest { StartKey = K("z"), EndKey = K("a") });
        Assert.Contains("invalid range", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Estimate_range_covers_transactional_data_by_raw_key()
    {
        await _h.MustPutAsync(10, 11, ("a", "1"), ("b", "2"), ("c", "3"));
        Assert.Equal(2, _h.Engine.EstimateRange("a"u8, "c"u8).Keys);
        Assert.Equal(3, _h.Engine.EstimateRange("a"u8, default).Keys);
    }

    [Fact]
    public async Task Scan_lock_fails_on_an_async_commit_lock_still_in_memory()
    {
        await using var storage = new GatedStorageEngine();
        using var engine = new TxnEngine(storage, TimeProvider.System);
        storage.Close();
        var held = storage.WriteHeld;
        var prewrite = PrewriteRequest(10, "k", Put("k", "v"));
        prewrite.UseAsyncCommit = true;
        var pending = engine.PrewriteAsync(prewrite).AsTask();
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        var blocked = await engine.ScanLockAsync(new ScanLockRequest { MaxVersion = 20 }, default, default);
        Assert.Equal(10UL, blocked.Error.Locked.LockVersion);
        Assert.Equal("k", Str(blocked.Error.Locked.Key));
        Assert.Empty(blocked.Locks);

        // A lock newer than max_version does not concern the scan, nor does one outside its range.
        Assert.Null((await engine.ScanLockAsync(new ScanLockRequest { MaxVersion = 5 }, default, default)).Error);
        Assert.Null((await engine.ScanLockAsync(new ScanLockRequest { MaxVersion = 20, StartKey = K("l") }, default, default)).Error);

        storage.Open();
        Assert.Empty((await pending).Errors);
        var written = await engine.ScanLockAsync(new ScanLockRequest { MaxVersion = 20 }, default, default);
        Assert.Null(written.Error);
        Assert.Equal("k", Str(Assert.Single(written.Locks).Key));
    }

    [Fact]
    public async Task Resolving_a_committed_transaction_drops_its_stale_pessimistic_locks()
    {
        Assert.Empty((await _h.PessimisticLockAsync(10, 10, "a", -1, "a", "b")).Errors);
        var prewrite = PrewriteRequest(10, "a", Put("a", "1"));
        prewrite.ForUpdateTs = 10;
        prewrite.PessimisticActions.Add(Proto.Kvrpcpb.PrewriteRequest.Types.PessimisticAction.DoPessimisticCheck);
        Assert.Empty((await _h.Engine.PrewriteAsync(prewrite)).Errors);

        var response = await _h.Engine.ResolveLockAsync(new ResolveLockRequest { StartVersion = 10, CommitVersion = 20 }, default, default);
        Assert.Null(response.Error);
        Assert.False(_h.HasLock("a"));
        Assert.False(_h.HasLock("b"));
        Assert.Equal("1", await _h.MustGetAsync("a", 20));
        Assert.Empty(_h.Writes("b"));
    }
}
