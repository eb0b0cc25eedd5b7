using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

public sealed class SqliteStorageEngineTests : StorageEngineContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-sqlite-" + Guid.NewGuid().ToString("N"));

    private protected override Task<IStorageEngine> CreateEngineAsync() => Task.FromResult<IStorageEngine>(SqliteStorageEngine.Open(_directory));

    private protected override Task CleanupAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Data_survives_reopening()
    {
        var directory = Path.Combine(_directory, "reopen");
        await using (var engine = SqliteStorageEngine.Open(directory))
        {
            var batch = new WriteBatch();
            batch.Put(ColumnFamily.Write, B("kept"), B("1"));
            batch.Put(ColumnFamily.Lock, B("lock"), B("2"));
            batch.Put(ColumnFamily.Default, B("deleted"), B("3"));
            await engine.WriteAsync(batch);
            batch = new WriteBatch();
            batch.Delete(ColumnFamily.Default, B("deleted"));
            await engine.WriteAsync(batch);
        }

        await using (var engine = SqliteStorageEngine.Open(directory))
        {
            Assert.True(engine.TryGet(ColumnFamily.Write, B("kept"), out var kept));
            Assert.Equal("1", S(kept));
            Assert.True(engine.TryGet(ColumnFamily.Lock, B("lock"), out _));
            Assert.False(engine.TryGet(ColumnFamily.Default, B("deleted"), out _));
        }
    }

    [Fact]
    public async Task Writes_after_dispose_fail_clearly()
    {
        var engine = SqliteStorageEngine.Open(Path.Combine(_directory, "disposed"));
        await engine.DisposeAsync();
        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Default, B("k"), B("v"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await engine.WriteAsync(batch));
        Assert.Throws<ObjectDisposedException>(() => engine.TryGet(ColumnFamily.Default, B("k"), out _));
    }
}
