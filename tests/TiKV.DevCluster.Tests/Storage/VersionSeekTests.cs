using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

/// <summary>
/// <see cref="IStorageEngine.TrySeekVersion"/>: the memory engine answers from its index of user keys, other engines
/// use the interface's seek-based default. Both must give exactly the model's answer.
/// </summary>
public sealed class VersionSeekTests
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public async Task Version_seeks_match_a_model_through_puts_deletes_and_range_deletes(bool seekDefault, int seed)
    {
        await using var memory = new MemoryStorageEngine();
        IStorageEngine engine = seekDefault ? new SeekOnlyEngine(memory) : memory;
        var random = new Random(seed);
        var model = new SortedSet<byte[]>(ByteKeyComparer.Instance);

        // Enough user keys to make the index grow several times while it is in use.
        for (var round = 0; round < 300; round++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 20; i++)
            {
                var key = RandomKey(random);
                batch.Put(ColumnFamily.Write, key, [(byte)i]);
                model.Add(key);
            }

            if (model.Count > 0 && random.Next(3) == 0)
            {
                foreach (var victim in model.Where(_ => random.Next(8) == 0).Take(15).ToList())
                {
                    batch.Delete(ColumnFamily.Write, victim);
                    model.Remove(victim);
                }
            }

            if (random.Next(10) == 0)
            {
                var start = RandomKey(random);
                var end = RandomKey(random);
                if (ByteKeyComparer.CompareKeys(start, end) > 0)
                {
                    (start, end) = (end, start);
                }

                batch.DeleteRange(ColumnFamily.Write, start, end);
                model.RemoveWhere(k => ByteKeyComparer.CompareKeys(k, start) >= 0 && ByteKeyComparer.CompareKeys(k, end) < 0);
            }

            await engine.WriteAsync(batch);
            for (var probe = 0; probe < 30; probe++)
            {
                var seek = probe % 2 == 0 && model.Count > 0 ? NearExisting(model, random) : RandomKey(random);
                var expected = Expected(model, seek);
                var found = engine.TrySeekVersion(ColumnFamily.Write, seek, out var key, out _);
                Assert.True(expected is not null == found, $"seek {Convert.ToHexString(seek)}: expected {Hex(expected)}, found {Hex(key)}");
                if (expected is not null)
                {
                    Assert.Equal(expected, key);
                }
            }
        }
    }

    [Fact]
    public async Task An_old_read_timestamp_below_many_newer_versions_finds_its_version()
    {
        await using var engine = new MemoryStorageEngine();
        var user = "k"u8.ToArray();
        var batch = new WriteBatch();
        for (ulong ts = 10; ts <= 1000; ts += 10)
        {
            batch.Put(ColumnFamily.Write, VersionKey(user, ts), BitConverter.GetBytes(ts));
        }

        await engine.WriteAsync(batch);
        Assert.True(engine.TrySeekVersion(ColumnFamily.Write, VersionKey(user, 15), out var key, out _));
        Assert.Equal(VersionKey(user, 10), key);
        Assert.True(engine.TrySeekVersion(ColumnFamily.Write, VersionKey(user, 995), out key, out _));
        Assert.Equal(VersionKey(user, 990), key);
        Assert.False(engine.TrySeekVersion(ColumnFamily.Write, VersionKey(user, 5), out _, out _));
        Assert.False(engine.TrySeekVersion(ColumnFamily.Write, VersionKey("j"u8.ToArray(), 500), out _, out _));
        Assert.False(engine.TrySeekVersion(ColumnFamily.Write, "short"u8.ToArray(), out _, out _));
    }

    [Fact]
    public async Task Readers_always_find_a_version_while_writers_add_newer_versions_and_remove_older_ones()
    {
        // Every user key keeps at least one version at all times (a new version lands before the oldest goes),
        // while new user keys make the index grow under the readers.
        await using var engine = new MemoryStorageEngine();
        const int Keys = 64;
        var versions = new ulong[Keys];
        for (var i = 0; i < Keys; i++)
        {
            var batch = new WriteBatch();
            batch.Put(ColumnFamily.Write, VersionKey(UserKey(i), 1), [1]);
            await engine.WriteAsync(batch);
            versions[i] = 1;
        }

        using var stop = new CancellationTokenSource();
        var misses = 0;
        var writer = Task.Run(async () =>
        {
            var random = new Random(5);
            for (var step = 0; step < 20_000; step++)
            {
                var i = random.Next(Keys);
                var oldest = versions[i];
                var put = new WriteBatch();
                put.Put(ColumnFamily.Write, VersionKey(UserKey(i), oldest + 1), [2]);
                put.Put(ColumnFamily.Write, VersionKey(UserKey(1000 + step), 1), [3]);
                await engine.WriteAsync(put);
                var delete = new WriteBatch();
                delete.Delete(ColumnFamily.Write, VersionKey(UserKey(i), oldest));
                await engine.WriteAsync(delete);
                versions[i] = oldest + 1;
            }

            await stop.CancelAsync();
        });
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var user = UserKey(random.Next(Keys));
                if (!engine.TrySeekVersion(ColumnFamily.Write, VersionKey(user, ulong.MaxValue), out var key, out _) || !key.AsSpan().StartsWith(user))
                {
                    Interlocked.Increment(ref misses);
                }
            }
        })).ToArray();
        await writer;
        await Task.WhenAll(readers);
        Assert.Equal(0, misses);
    }

    private static byte[] UserKey(int i) => System.Text.Encoding.ASCII.GetBytes($"user{i:D6}");

    private static byte[] VersionKey(byte[] user, ulong ts)
    {
        var key = new byte[user.Length + 8];
        user.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(user.Length), ~ts);
        return key;
    }

    /// <summary>Keys over a tiny alphabet and mixed lengths, so user keys share prefixes and some keys are not versions of anything.</summary>
    private static byte[] RandomKey(Random random)
    {
        var shape = random.Next(10);
        if (shape < 6)
        {
            // A version of one of many user keys (the index grows), with a small timestamp range so versions collide.
            var user = shape < 3 ? UserKey(random.Next(2000)) : SmallAlphabet(random, random.Next(0, 4));
            return VersionKey(user, (ulong)random.Next(1, 40));
        }

        return SmallAlphabet(random, random.Next(0, 14));
    }

    private static byte[] SmallAlphabet(Random random, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.Next(0, 3);
        }

        return bytes;
    }

    private static byte[] NearExisting(SortedSet<byte[]> model, Random random)
    {
        var existing = model.ElementAt(random.Next(model.Count));
        if (existing.Length < 8 || random.Next(3) == 0)
        {
            return existing;
        }

        var seek = (byte[])existing.Clone();
        var ts = ~BinaryPrimitives.ReadUInt64BigEndian(seek.AsSpan(seek.Length - 8));
        BinaryPrimitives.WriteUInt64BigEndian(seek.AsSpan(seek.Length - 8), ~(ts + (ulong)random.Next(0, 5)));
        return seek;
    }

    private static byte[]? Expected(SortedSet<byte[]> model, byte[] seek)
    {
        if (seek.Length < 8 || model.Count == 0 || ByteKeyComparer.CompareKeys(seek, model.Max) > 0)
        {
            return null;
        }

        foreach (var key in model.GetViewBetween(seek, model.Max!))
        {
            if (key.Length == seek.Length && key.AsSpan(0, key.Length - 8).SequenceEqual(seek.AsSpan(0, seek.Length - 8)))
            {
                return key;
            }

            if (!key.AsSpan().StartsWith(seek.AsSpan(0, seek.Length - 8)))
            {
                return null;
            }
        }

        return null;
    }

    private static string Hex(byte[]? key) => key is null ? "none" : Convert.ToHexString(key);

    /// <summary>Forwards everything but <see cref="IStorageEngine.TrySeekVersion"/>, so the interface's default answers it.</summary>
    private sealed class SeekOnlyEngine(IStorageEngine inner) : IStorageEngine
    {
        public bool TryGet(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value) => inner.TryGet(cf, key, out value);

        public bool TrySeek(ColumnFamily cf, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value)
            => inner.TrySeek(cf, start, end, out key, out value);

        public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, bool reverse = false)
            => inner.Scan(cf, start, end, reverse);

        public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken = default) => inner.WriteAsync(batch, cancellationToken);

        public StorageRangeStats EstimateRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end) => inner.EstimateRange(start, end);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
