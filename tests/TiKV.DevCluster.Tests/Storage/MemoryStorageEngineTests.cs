using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

public sealed class MemoryStorageEngineTests : StorageEngineContractTests
{
    private protected override Task<IStorageEngine> CreateEngineAsync() => Task.FromResult<IStorageEngine>(new MemoryStorageEngine());

    [Fact]
    public async Task Estimate_of_a_large_range_is_close()
    {
        var batch = new WriteBatch();
        for (var i = 0; i < 50_000; i++)
        {
            batch.Put(ColumnFamily.Write, B($"key{i:D6}"), new byte[16]);
        }

        await Engine.WriteAsync(batch);
        var stats = Engine.EstimateRange(default, default);

        // Sampled on a higher skip-list level: within a factor of two is plenty for split decisions.
        Assert.InRange(stats.Keys, 25_000, 100_000);
        Assert.InRange(stats.Bytes, 25_000L * 25, 100_000L * 25);
    }

    [Fact]
    public async Task Seeks_find_keys_written_before_them_while_other_writers_insert_and_remove()
    {
        // Regression: a lock-free seek once re-read a link after comparing it and could return a smaller key
        // inserted meanwhile, so a key written before the read looked absent.
        var misses = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = B($"{writer}-{i:D6}");
                var put = new WriteBatch();
                put.Put(ColumnFamily.Lock, key, [1]);
                await Engine.WriteAsync(put);
                if (!Engine.TryGet(ColumnFamily.Lock, key, out _) || !Engine.TrySeek(ColumnFamily.Lock, key, default, out var found, out _) || !found.AsSpan().SequenceEqual(key))
                {
                    Interlocked.Increment(ref misses);
                }

                var delete = new WriteBatch();
                delete.Delete(ColumnFamily.Lock, key);
                await Engine.WriteAsync(delete);
            }
        })));

        Assert.Equal(0, misses);
    }

    [Fact]
    public async Task Overwrite_and_delete_keep_scans_consistent_with_point_reads()
    {
        var random = new Random(7);
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var round = 0; round < 2000; round++)
        {
            var key = $"k{random.Next(200):D3}";
            var batch = new WriteBatch();
            if (random.Next(3) == 0)
            {
                batch.Delete(ColumnFamily.Default, B(key));
                model.Remove(key);
            }
            else
            {
                var value = round.ToString();
                batch.Put(ColumnFamily.Default, B(key), B(value));
                model[key] = value;
            }

            await Engine.WriteAsync(batch);
        }

        var scanned = Engine.Scan(ColumnFamily.Default, default, default).Select(e => (S(e.Key), S(e.Value))).ToList();
        Assert.Equal(model.Select(p => (p.Key, p.Value)), scanned);
        foreach (var (key, value) in model)
        {
            Assert.True(Engine.TryGet(ColumnFamily.Default, B(key), out var stored));
            Assert.Equal(value, S(stored));
        }
    }
}
