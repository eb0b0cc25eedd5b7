using System.Text;
using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>Point reads over keys whose newest write records are not values (Lock, Rollback) or carry a gc_fence.</summary>
public sealed class VersionReadTests : IAsyncLifetime
{
    private readonly MvccHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_read_steps_over_lock_and_rollback_records_to_the_value_below()
    {
        await _h.MustPutAsync(10, 20, ("k", "v1"));
        await _h.MustPrewriteAsync(30, "k", LockOnly("k"));
        await _h.MustCommitAsync(30, 35, "k");
        await _h.MustPrewriteAsync(40, "k", Put("k", "v2"));
        Assert.Null((await _h.RollbackAsync(40, "k")).Error);
        Assert.Equal([(40UL, WriteKind.Rollback), (35UL, WriteKind.Lock), (20UL, WriteKind.Put)], _h.Writes("k"));

        Assert.Equal("v1", await _h.MustGetAsync("k", 50));
        Assert.Equal("v1", await _h.MustGetAsync("k", 36));
        Assert.Null(await _h.MustGetAsync("k", 19));

        await _h.MustPrewriteAsync(60, "k", Delete("k"));
        await _h.MustCommitAsync(60, 65, "k");
        Assert.Null(await _h.MustGetAsync("k", 70));
        Assert.Equal("v1", await _h.MustGetAsync("k", 64));
    }

    [Fact]
    public async Task A_version_fenced_by_a_newer_write_is_not_the_latest_once_that_write_is_gone()
    {
        // TiKV's gc_fence: a protected rollback of start_ts 20 lands on the commit record at 20 and records the
        // next newer write (40). If GC later removes the record at 40, a read at or after 40 must not take the
        // record at 20 as the latest version.
        await _h.MustPutAsync(10, 20, ("k", "v1"));
        await _h.MustPutAsync(30, 40, ("k", "v2"));
        var cleanup = await _h.Engine.CleanupAsync(new CleanupRequest { Context = new Context(), Key = K("k"), StartVersion = 20 });
        Assert.Null(cleanup.Error);

        var newer = new WriteBatch();
        newer.Delete(ColumnFamily.Write, MvccKey.EncodeWithTs(Encoding.UTF8.GetBytes("k"), 40));
        await _h.Storage.WriteAsync(newer);

        Assert.Equal("v1", await _h.MustGetAsync("k", 39));
        Assert.Null(await _h.MustGetAsync("k", 40));
        Assert.Null(await _h.MustGetAsync("k", 100));
    }
}
