using System.Text;
using Microsoft.Data.Sqlite;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

/// <summary>
/// The SQLite engine's write-ahead log, memtable and fold: what a crash leaves in the log is replayed, reads merge
/// the memtable over the main tables while folds run, and a fold that cannot finish holds writers back.
/// </summary>
public sealed class SqliteDurableLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-durable-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Operations_only_in_the_log_are_replayed_on_open()
    {
        var directory = Path.Combine(_directory, "live");
        var image = Path.Combine(_directory, "image");
        await using (var engine = SqliteStorageEngine.Open(directory))
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 20; i++)
            {
                batch.Put(ColumnFamily.Default, B($"k{i:D2}"), B($"v{i}"));
            }

            batch.Put(ColumnFamily.Lock, B("lock"), B("l"));
            await engine.WriteAsync(batch);
            batch = new WriteBatch();
            batch.DeleteRange(ColumnFamily.Default, B("k05"), B("k10"));
            batch.Delete(ColumnFamily.Default, B("k12"));
            batch.Put(ColumnFamily.Default, B("k07"), B("again"));
            batch.Put(ColumnFamily.Default, B("k15"), B("overwritten"));
            batch.Put(ColumnFamily.Write, B("w"), []);
            await engine.WriteAsync(batch);

            // Every write is acknowledged and the engine is idle: copying its files now is what a kill -9 leaves.
            CopyFiles(directory, image);
        }

        Assert.Equal(0, Count(Path.Combine(image, SqliteStorageEngine.FileName), "cf_default"));
        Assert.Equal(2, Count(Path.Combine(image, SqliteStorageEngine.LogFileName), "log"));

        string[] expected = ["k00", "k01", "k02", "k03", "k04", "k07", "k10", "k11", "k13", "k14", "k15", "k16", "k17", "k18", "k19"];
        await using (var engine = SqliteStorageEngine.Open(image))
        {
            Assert.Equal(expected, engine.Scan(ColumnFamily.Default, default, default).Select(e => S(e.Key)));
            Assert.True(engine.TryGet(ColumnFamily.Default, B("k07"), out var again));
            Assert.Equal("again", S(again));
            Assert.True(engine.TryGet(ColumnFamily.Default, B("k15"), out var overwritten));
            Assert.Equal("overwritten", S(overwritten));
            Assert.True(engine.TryGet(ColumnFamily.Write, B("w"), out var empty));
            Assert.Empty(empty);
            Assert.True(engine.TryGet(ColumnFamily.Lock, B("lock"), out _));

            // The replayed operations get new neighbours after the last logged sequence.
            var batch = new WriteBatch();
            batch.Put(ColumnFamily.Default, B("k99"), B("after"));
            await engine.WriteAsync(batch);
        }

        // Closing folded everything: the main tables hold the state and the log is empty.
        Assert.Equal(expected.Length + 1, Count(Path.Combine(image, SqliteStorageEngine.FileName), "cf_default"));
        Assert.Equal(0, Count(Path.Combine(image, SqliteStorageEngine.LogFileName), "log"));
        await using (var engine = SqliteStorageEngine.Open(image))
        {
            Assert.Equal([.. expected, "k99"], engine.Scan(ColumnFamily.Default, default, default).Select(e => S(e.Key)));
        }
    }

    [Fact]
    public async Task Memtable_deletes_hide_folded_keys_in_every_kind_of_read()
    {
        var directory = Path.Combine(_directory, "hide");
        await using var engine = SqliteStorageEngine.Open(directory, new SqliteStorageOptions { MemtableFoldBytes = 4096, MaxMemtableBytes = 1 << 20 });
        var batch = new WriteBatch();
        for (var i = 0; i < 100; i++)
        {
            batch.Put(ColumnFamily.Default, B($"k{i:D3}"), new byte[40]);
        }

        await engine.WriteAsync(batch);

        // That batch alone passes the fold size: wait until it is in the main table.
        var mainPath = Path.Combine(directory, SqliteStorageEngine.FileName);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (Count(mainPath, "cf_default") < 100)
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        batch = new WriteBatch();
        batch.DeleteRange(ColumnFamily.Default, B("k010"), B("k050"));
        batch.Put(ColumnFamily.Default, B("k020"), B("back"));
        batch.Delete(ColumnFamily.Default, B("k000"));
        batch.DeleteRange(ColumnFamily.Default, B("k090"), []);
        await engine.WriteAsync(batch);

        var expected = Enumerable.Range(1, 89).Where(i => i is < 10 or >= 50 or 20).Select(i => $"k{i:D3}").ToList();
        Assert.Equal(expected, engine.Scan(ColumnFamily.Default, default, default).Select(e => S(e.Key)));
        Assert.Equal(Enumerable.Reverse(expected), engine.Scan(ColumnFamily.Default, default, default, reverse: true).Select(e => S(e.Key)));
        Assert.Equal(["k020", "k050", "k051"], engine.Scan(ColumnFamily.Default, B("k010"), B("k052")).Select(e => S(e.Key)));
        Assert.False(engine.TryGet(ColumnFamily.Default, B("k000"), out _));
        Assert.False(engine.TryGet(ColumnFamily.Default, B("k030"), out _));
        Assert.False(engine.TryGet(ColumnFamily.Default, B("k095"), out _));
        Assert.True(engine.TryGet(ColumnFamily.Default, B("k020"), out var back));
        Assert.Equal("back", S(back));
        Assert.True(engine.TrySeek(ColumnFamily.Default, B("k021"), default, out var key, out _));
        Assert.Equal("k050", S(key));
        Assert.False(engine.TrySeek(ColumnFamily.Default, B("k089a"), default, out _, out _));
        Assert.True(engine.TrySeek(ColumnFamily.Default, default, default, out key, out _));
        Assert.Equal("k001", S(key));

        // The reads merged the memtable over a main table that still holds every key.
        Assert.Equal(100, Count(mainPath, "cf_default"));
    }

    [Fact]
    public async Task Reads_see_every_acknowledged_write_while_folds_run()
    {
        const int writes = 1500;
        const int window = 100;
        var options = new SqliteStorageOptions { MemtableFoldBytes = 2048, MaxMemtableBytes = 8192 };
        await using var engine = SqliteStorageEngine.Open(Path.Combine(_directory, "folding"), options);
        var acknowledged = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < writes; i++)
            {
                // Batch i adds key i to both column families and deletes key i - window from the default one.
                var batch = new WriteBatch();
                batch.Put(ColumnFamily.Write, Key(i), B("w"));
                batch.Put(ColumnFamily.Default, Key(i), B("d"));
                if (i >= window)
                {
                    batch.Delete(ColumnFamily.Default, Key(i - window));
                }

                await engine.WriteAsync(batch);
                Volatile.Write(ref acknowledged, i + 1);
            }
        });

        var rounds = 0;
        var random = new Random(7);
        while (!writer.IsCompleted || rounds == 0)
        {
            var before = Volatile.Read(ref acknowledged);

            // Keys only ever grow, so each forward chunk sees a prefix of the keys: together, a gap-free prefix
            // holding at least every key acknowledged before the scan.
            var forward = engine.Scan(ColumnFamily.Write, default, default).Select(e => Index(e.Key)).ToList();
            Assert.Equal(Enumerable.Range(0, forward.Count), forward);
            Assert.True(forward.Count >= before, $"forward scan saw {forward.Count} keys, {before} were acknowledged");

            var backward = engine.Scan(ColumnFamily.Write, default, default, reverse: true).Select(e => Index(e.Key)).ToList();
            Assert.Equal(Enumerable.Range(0, backward.Count).Reverse(), backward);
            Assert.True(backward.Count >= before, $"reverse scan saw {backward.Count} keys, {before} were acknowledged");

            if (before > 0)
            {
                var probe = random.Next(before);
                Assert.True(engine.TryGet(ColumnFamily.Write, Key(probe), out _), $"key {probe} lost");
                var present = engine.TryGet(ColumnFamily.Default, Key(probe), out _);
                var after = Volatile.Read(ref acknowledged);

                // Batch probe + window deletes the key: acknowledged before the read, it must be gone; not even
                // issued by the end of the read (the writer issues batch n only after n - 1 is acknowledged), present.
                if (probe + window < before)
                {
                    Assert.False(present, $"key {probe} readable after its delete was acknowledged");
                }
                else if (probe + window > after)
                {
                    Assert.True(present, $"key {probe} lost");
                }
            }

            if (before > window)
            {
                Assert.True(engine.TrySeek(ColumnFamily.Default, Key(0), default, out var first, out _));
                Assert.True(Index(first) >= before - window, $"seek found deleted key {Index(first)} after {before} writes");
            }

            rounds++;
        }

        await writer;
        Assert.Equal(Enumerable.Range(writes - window, window), engine.Scan(ColumnFamily.Default, default, default).Select(e => Index(e.Key)));
    }

    [Fact]
    public async Task Writes_wait_while_a_blocked_fold_keeps_the_memtable_full()
    {
        var directory = Path.Combine(_directory, "backpressure");
        var options = new SqliteStorageOptions { MemtableFoldBytes = 2048, MaxMemtableBytes = 4096 };
        await using var engine = SqliteStorageEngine.Open(directory, options);

        // Another connection holds the main database's write lock: folds wait on it and the memtable cannot drain.
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, SqliteStorageEngine.FileName), Pooling = false }.ToString());
        other.Open();
        Execute(other, "BEGIN IMMEDIATE");

        // Each batch is about 1 KiB: the memtable being folded and the full one hold a handful between them.
        const int batches = 12;
        const int batchBytes = 1024;
        var maxAcknowledged = (int)((options.MemtableFoldBytes + options.MaxMemtableBytes) / batchBytes) + 2;
        var pending = new List<Task>();
        var acknowledgedWhileBlocked = 0;
        for (var i = 0; i < batches; i++)
        {
            var batch = new WriteBatch();
            batch.Put(ColumnFamily.Default, Key(i), new byte[batchBytes]);
            var write = engine.WriteAsync(batch).AsTask();
            pending.Add(write);
            await Task.WhenAny(write, Task.Delay(100));
            acknowledgedWhileBlocked = pending.Count(t => t.IsCompletedSuccessfully);
        }

        Assert.True(acknowledgedWhileBlocked <= maxAcknowledged, $"{acknowledgedWhileBlocked} batches acknowledged past a full memtable");
        Assert.True(acknowledgedWhileBlocked < batches);

        // Once the lock is gone the folds run and every held write completes and is readable.
        Execute(other, "COMMIT");
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, batches), engine.Scan(ColumnFamily.Default, default, default).Select(e => Index(e.Key)));
    }

    [Fact]
    public async Task Writes_held_back_by_a_failing_fold_fail_instead_of_hanging_and_are_not_applied()
    {
        var directory = Path.Combine(_directory, "failing-fold");
        var options = new SqliteStorageOptions { MemtableFoldBytes = 2048, MaxMemtableBytes = 4096 };
        await using var engine = SqliteStorageEngine.Open(directory, options);
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, SqliteStorageEngine.FileName), Pooling = false }.ToString());
        other.Open();
        Execute(other, "BEGIN IMMEDIATE");

        // The lock outlasts SQLite's busy timeout, so the fold fails; the write waiting for room gets that failure.
        var acknowledged = new List<int>();
        var failed = new List<int>();
        for (var i = 0; failed.Count == 0; i++)
        {
            Assert.True(i < 64, "no write failed although the memtable could not drain");
            var batch = new WriteBatch();
            batch.Put(ColumnFamily.Default, Key(i), new byte[1024]);
            try
            {
                await engine.WriteAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
                acknowledged.Add(i);
            }
            catch (SqliteException)
            {
                failed.Add(i);
            }
        }

        // With the lock gone the retried fold succeeds and writes are taken again.
        Execute(other, "COMMIT");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 100; ; i++)
        {
            var batch = new WriteBatch();
            batch.Put(ColumnFamily.Default, Key(i), new byte[1024]);
            try
            {
                await engine.WriteAsync(batch);
                acknowledged.Add(i);
                break;
            }
            catch (SqliteException)
            {
                failed.Add(i);
                await Task.Delay(50, deadline.Token);
            }
        }

        Assert.Equal(acknowledged, engine.Scan(ColumnFamily.Default, default, default).Select(e => Index(e.Key)));
        Assert.All(failed, i => Assert.False(engine.TryGet(ColumnFamily.Default, Key(i), out _)));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private static byte[] Key(int i) => B($"key{i:D6}");

    private static int Index(byte[] key) => int.Parse(S(key)[3..], System.Globalization.CultureInfo.InvariantCulture);

    private static void CopyFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static long Count(string path, string table)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
