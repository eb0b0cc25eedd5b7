using Microsoft.Data.Sqlite;
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

    [Fact]
    public void Invalid_options_are_refused_before_anything_is_created()
    {
        var directory = Path.Combine(_directory, "invalid");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SqliteStorageEngine.Open(directory, new SqliteStorageOptions { MaxBatchesPerCommit = 0 }));
        Assert.Contains("MaxBatchesPerCommit", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => SqliteStorageEngine.Open(directory, new SqliteStorageOptions { MemtableFoldBytes = 0 }));
        Assert.Contains("MemtableFoldBytes", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => SqliteStorageEngine.Open(directory, new SqliteStorageOptions { MemtableFoldBytes = 2048, MaxMemtableBytes = 1024 }));
        Assert.Contains("MaxMemtableBytes", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Reads_running_during_dispose_leave_no_connection_open()
    {
        var directory = Path.Combine(_directory, "racing-readers");
        var engine = SqliteStorageEngine.Open(directory);
        var batch = new WriteBatch();
        for (var i = 0; i < 64; i++)
        {
            batch.Put(ColumnFamily.Default, B($"k{i:D3}"), B("v"));
        }

        await engine.WriteAsync(batch);
        using var started = new CountdownEvent(4);
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            started.Signal();
            try
            {
                while (true)
                {
                    _ = engine.Scan(ColumnFamily.Default, B("k"), default).Count();
                    engine.TryGet(ColumnFamily.Default, B("k007"), out byte[]? _);
                }
            }
            catch (ObjectDisposedException)
            {
                // The engine is gone: the reader stops.
            }
        })).ToArray();
        started.Wait();
        await engine.DisposeAsync();
        await Task.WhenAll(readers);

        // Every SQLite connection of the engine is closed: no descriptor of this process points at its files
        // (the main database, the write-ahead log database and their WAL files).
        var directoryPath = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        var open = Directory.GetFiles("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith(directoryPath, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(open);
    }

    [Fact]
    public async Task A_write_waits_out_another_connection_s_write_transaction()
    {
        var directory = Path.Combine(_directory, "busy");
        await using var engine = SqliteStorageEngine.Open(directory);
        // Acknowledgement waits for the write-ahead log's commit, so that is the database another writer blocks.
        var path = Path.Combine(directory, SqliteStorageEngine.LogFileName);
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Default, B("k"), B("v"));
        var write = engine.WriteAsync(batch).AsTask();

        // Give the engine's writer time to meet the lock: it must wait for it, not fail with "database is locked".
        await Task.Delay(200);
        Assert.False(write.IsCompleted);
        using (var commit = other.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }

        await write.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(engine.TryGet(ColumnFamily.Default, B("k"), out var value));
        Assert.Equal("v", S(value));
    }
}
