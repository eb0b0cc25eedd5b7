using System.Text;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

/// <summary>The behaviour every <see cref="IStorageEngine"/> must have; run once per engine.</summary>
public abstract class StorageEngineContractTests : IAsyncLifetime
{
    private IStorageEngine? _engine;

    private protected IStorageEngine Engine => _engine ?? throw new InvalidOperationException("engine not created");

    public async Task InitializeAsync()
    {
        _engine = await CreateEngineAsync();
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        await CleanupAsync();
    }

    private protected abstract Task<IStorageEngine> CreateEngineAsync();

    private protected virtual Task CleanupAsync() => Task.CompletedTask;

    private protected static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private protected static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private protected async Task PutAsync(ColumnFamily cf, params string[] keys)
    {
        var batch = new WriteBatch();
        foreach (var key in keys)
        {
            batch.Put(cf, B(key), B("v-" + key));
        }

        await Engine.WriteAsync(batch);
    }

    [Fact]
    public async Task Put_get_delete_round_trip()
    {
        await PutAsync(ColumnFamily.Default, "a");
        Assert.True(Engine.TryGet(ColumnFamily.Default, B("a"), out var value));
        Assert.Equal("v-a", S(value));
        Assert.False(Engine.TryGet(ColumnFamily.Lock, B("a"), out _));

        var delete = new WriteBatch();
        delete.Delete(ColumnFamily.Default, B("a"));
        await Engine.WriteAsync(delete);
        Assert.False(Engine.TryGet(ColumnFamily.Default, B("a"), out _));
    }

    [Fact]
    public async Task Column_families_are_independent()
    {
        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Default, B("k"), B("d"));
        batch.Put(ColumnFamily.Lock, B("k"), B("l"));
        batch.Put(ColumnFamily.Write, B("k"), B("w"));
        await Engine.WriteAsync(batch);

        Assert.True(Engine.TryGet(ColumnFamily.Default, B("k"), out var d));
        Assert.True(Engine.TryGet(ColumnFamily.Lock, B("k"), out var l));
        Assert.True(Engine.TryGet(ColumnFamily.Write, B("k"), out var w));
        Assert.Equal(["d", "l", "w"], new[] { S(d), S(l), S(w) });
        Assert.Single(Engine.Scan(ColumnFamily.Lock, default, default));
    }

    [Fact]
    public async Task Later_operation_in_a_batch_wins()
    {
        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Default, B("k"), B("1"));
        batch.Put(ColumnFamily.Default, B("k"), B("2"));
        batch.Put(ColumnFamily.Default, B("gone"), B("x"));
        batch.Delete(ColumnFamily.Default, B("gone"));
        await Engine.WriteAsync(batch);

        Assert.True(Engine.TryGet(ColumnFamily.Default, B("k"), out var value));
        Assert.Equal("2", S(value));
        Assert.False(Engine.TryGet(ColumnFamily.Default, B("gone"), out _));
    }

    [Fact]
    public async Task Scan_orders_by_unsigned_bytes_with_prefixes_first()
    {
        byte[][] keys =
        [
            [0xFF, 0xFF],
            [0x00],
            [0x7F],
            [0x80],
            [0xFF],
            [0x00, 0x00],
            [0x01],
            [],
        ];
        var batch = new WriteBatch();
        foreach (var key in keys)
        {
            batch.Put(ColumnFamily.Write, key, [1]);
        }

        await Engine.WriteAsync(batch);

        var forward = Engine.Scan(ColumnFamily.Write, default, default).Select(e => Convert.ToHexString(e.Key)).ToList();
        Assert.Equal(["", "00", "0000", "01", "7F", "80", "FF", "FFFF"], forward);

        var backward = Engine.Scan(ColumnFamily.Write, default, default, reverse: true).Select(e => Convert.ToHexString(e.Key)).ToList();
        forward.Reverse();
        Assert.Equal(forward, backward);
    }

    [Fact]
    public async Task Scan_respects_half_open_ranges_in_both_directions()
    {
        await PutAsync(ColumnFamily.Default, "a", "b", "c", "d", "e");

        Assert.Equal(["b", "c"], Keys(Engine.Scan(ColumnFamily.Default, B("b"), B("d"))));
        Assert.Equal(["c", "b"], Keys(Engine.Scan(ColumnFamily.Default, B("b"), B("d"), reverse: true)));
        Assert.Equal(["c", "d", "e"], Keys(Engine.Scan(ColumnFamily.Default, B("bb"), default)));
        Assert.Equal(["e", "d", "c"], Keys(Engine.Scan(ColumnFamily.Default, B("c"), default, reverse: true)));
        Assert.Empty(Keys(Engine.Scan(ColumnFamily.Default, B("x"), default)));
        Assert.Empty(Keys(Engine.Scan(ColumnFamily.Default, B("c"), B("c"))));
    }

    [Fact]
    public async Task Long_scans_cross_chunk_boundaries_without_losing_or_repeating_keys()
    {
        const int count = 3000;
        var batch = new WriteBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Put(ColumnFamily.Write, B($"key{i:D5}"), B(i.ToString()));
        }

        await Engine.WriteAsync(batch);

        var forward = Keys(Engine.Scan(ColumnFamily.Write, default, default));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"key{i:D5}"), forward);
        var backward = Keys(Engine.Scan(ColumnFamily.Write, B("key00100"), B("key02900"), reverse: true));
        Assert.Equal(Enumerable.Range(100, 2800).Reverse().Select(i => $"key{i:D5}"), backward);
    }

    [Fact]
    public async Task Seek_finds_the_first_key_in_range()
    {
        await PutAsync(ColumnFamily.Write, "b", "d");

        Assert.True(Engine.TrySeek(ColumnFamily.Write, B("a"), default, out var key, out var value));
        Assert.Equal("b", S(key));
        Assert.Equal("v-b", S(value));
        Assert.True(Engine.TrySeek(ColumnFamily.Write, B("c"), default, out key, out _));
        Assert.Equal("d", S(key));
        Assert.False(Engine.TrySeek(ColumnFamily.Write, B("c"), B("d"), out _, out _));
        Assert.False(Engine.TrySeek(ColumnFamily.Write, B("e"), default, out _, out _));
    }

    [Fact]
    public async Task Delete_range_removes_exactly_the_range()
    {
        await PutAsync(ColumnFamily.Default, "a", "b", "c", "d", "e");
        await PutAsync(ColumnFamily.Lock, "b", "c");

        var batch = new WriteBatch();
        batch.DeleteRange(ColumnFamily.Default, B("b"), B("d"));
        await Engine.WriteAsync(batch);
        Assert.Equal(["a", "d", "e"], Keys(Engine.Scan(ColumnFamily.Default, default, default)));
        Assert.Equal(["b", "c"], Keys(Engine.Scan(ColumnFamily.Lock, default, default)));

        batch = new WriteBatch();
        batch.DeleteRange(ColumnFamily.Default, B("d"), []);
        await Engine.WriteAsync(batch);
        Assert.Equal(["a"], Keys(Engine.Scan(ColumnFamily.Default, default, default)));
    }

    [Fact]
    public async Task Concurrent_writers_all_land()
    {
        const int writers = 8;
        const int perWriter = 200;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var batch = new WriteBatch();
                batch.Put(ColumnFamily.Default, B($"w{w}-{i:D4}"), B("x"));
                batch.Put(ColumnFamily.Write, B($"w{w}-{i:D4}"), B("y"));
                await Engine.WriteAsync(batch);
            }
        })));

        Assert.Equal(writers * perWriter, Engine.Scan(ColumnFamily.Default, default, default).Count());
        Assert.Equal(writers * perWriter, Engine.Scan(ColumnFamily.Write, default, default).Count());
    }

    [Fact]
    public async Task A_batch_is_seen_whole_or_not_at_all_by_scans()
    {
        // Each batch moves a "token" between two keys; a reader must always see exactly one of them.
        await PutAsync(ColumnFamily.Default, "pair-a");
        // The writer starts only once the reader is scanning, so a fast engine cannot finish every batch
        // before the first observation.
        var readerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(async () =>
        {
            await readerStarted.Task;
            for (var i = 0; i < 400; i++)
            {
                var (from, to) = i % 2 == 0 ? ("pair-a", "pair-b") : ("pair-b", "pair-a");
                var batch = new WriteBatch();
                batch.Delete(ColumnFamily.Default, B(from));
                batch.Put(ColumnFamily.Default, B(to), B("token"));
                await Engine.WriteAsync(batch);
            }
        });

        var observations = 0;
        while (!writer.IsCompleted)
        {
            var seen = Engine.Scan(ColumnFamily.Default, B("pair-"), B("pair-z")).Count();
            Assert.Equal(1, seen);
            observations++;
            readerStarted.TrySetResult();
        }

        await writer;
        Assert.True(observations > 0);
    }

    [Fact]
    public async Task Estimate_counts_keys_and_bytes_across_column_families()
    {
        var batch = new WriteBatch();
        for (var i = 0; i < 100; i++)
        {
            batch.Put(ColumnFamily.Default, B($"k{i:D3}"), new byte[10]);
            batch.Put(ColumnFamily.Write, B($"k{i:D3}"), new byte[6]);
        }

        await Engine.WriteAsync(batch);

        var all = Engine.EstimateRange(default, default);
        Assert.Equal(200, all.Keys);
        Assert.Equal((100 * (4 + 10)) + (100 * (4 + 6)), all.Bytes);
        var half = Engine.EstimateRange(B("k000"), B("k050"));
        Assert.Equal(100, half.Keys);
    }

    [Fact]
    public async Task Empty_batch_completes_and_unknown_column_family_is_rejected()
    {
        await Engine.WriteAsync(new WriteBatch());
        var batch = new WriteBatch();
        batch.Put((ColumnFamily)7, B("k"), B("v"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Engine.WriteAsync(batch));
        Assert.ThrowsAny<ArgumentException>(() => Engine.Scan((ColumnFamily)7, default, default).ToList());
    }

    private static List<string> Keys(IEnumerable<KeyValuePair<byte[], byte[]>> entries) => entries.Select(e => S(e.Key)).ToList();
}
