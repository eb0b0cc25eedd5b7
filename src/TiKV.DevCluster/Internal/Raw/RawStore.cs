using System.Diagnostics.CodeAnalysis;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Internal.Raw;

/// <summary>
/// Raw key-value data of the cluster (API v1 with TTL): one storage engine keyed by the plain user keys, with
/// values stored through <see cref="RawValueCodec"/>. Region checks happen before these calls.
/// </summary>
internal sealed class RawStore : IAsyncDisposable
{
    private readonly IStorageEngine _engine;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _atomic = new(1, 1);

    /// <summary>Creates a raw store over <paramref name="engine"/>.</summary>
    public RawStore(IStorageEngine engine, TimeProvider timeProvider)
    {
        _engine = engine;
        _timeProvider = timeProvider;
    }

    /// <summary>The engine holding the data.</summary>
    public IStorageEngine Engine => _engine;

    /// <summary>Current time in Unix seconds, the unit of raw TTLs.</summary>
    public ulong NowSeconds => (ulong)_timeProvider.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// Resolves a raw request's column family the way TiKV's <c>rawkv_cf</c> does in API v1: empty means
    /// "default"; "default", "lock" and "write" are accepted; anything else is an error.
    /// </summary>
    public static bool TryParseCf(string cf, out ColumnFamily family)
    {
        switch (cf)
        {
            case "":
            case "default":
                family = ColumnFamily.Default;
                return true;
            case "lock":
                family = ColumnFamily.Lock;
                return true;
            case "write":
                family = ColumnFamily.Write;
                return true;
            default:
                family = ColumnFamily.Default;
                return false;
        }
    }

    /// <summary>The live value of <paramref name="key"/>, or null when absent or expired.</summary>
    public byte[]? Get(ColumnFamily cf, ReadOnlySpan<byte> key) =>
        TryGetLive(cf, key, out var stored) ? RawValueCodec.UserValue(stored) : null;

    /// <summary>
    /// The value of <paramref name="key"/> like <see cref="Get"/>, as a view of the stored value rather than a copy:
    /// the engines replace a key's stored array on every write and never change one in place, so the view stays valid.
    /// </summary>
    public bool TryGetValue(ColumnFamily cf, ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value)
    {
        if (!TryGetLive(cf, key, out var stored))
        {
            value = default;
            return false;
        }

        value = RawValueCodec.UserValueMemory(stored);
        return true;
    }

    /// <summary>The stored form of a key that exists and has not expired. The clock is read only for values with a TTL.</summary>
    private bool TryGetLive(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? stored) =>
        _engine.TryGet(cf, key, out stored) && (RawValueCodec.ExpiryOf(stored) == 0 || !RawValueCodec.IsExpired(stored, NowSeconds));

    /// <summary>
    /// The remaining TTL of <paramref name="key"/> in seconds (0 = no TTL), or null when absent or expired
    /// (TiKV's <c>get_key_ttl_cf</c>).
    /// </summary>
    public ulong? GetTtl(ColumnFamily cf, ReadOnlySpan<byte> key)
    {
        if (!_engine.TryGet(cf, key, out var stored))
        {
            return null;
        }

        var expireAt = RawValueCodec.ExpiryOf(stored);
        var now = NowSeconds;
        if (expireAt == 0)
        {
            return 0;
        }

        return expireAt <= now ? null : expireAt - now;
    }

    /// <summary>
    /// Live entries in [<paramref name="start"/>, <paramref name="end"/>) (empty end = unbounded) in ascending
    /// order, at most <paramref name="limit"/>.
    /// </summary>
    public List<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, byte[] start, byte[] end, int limit, bool keyOnly, bool reverse)
    {
        var result = new List<KeyValuePair<byte[], byte[]>>();
        if (limit <= 0)
        {
            return result;
        }

        var now = NowSeconds;
        foreach (var entry in _engine.Scan(cf, start, end, reverse))
        {
            if (RawValueCodec.IsExpired(entry.Value, now))
            {
                continue;
            }

            result.Add(new KeyValuePair<byte[], byte[]>(entry.Key, keyOnly ? [] : RawValueCodec.UserValue(entry.Value)));
            if (result.Count >= limit)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>Writes <paramref name="entries"/> (key, value, TTL seconds) atomically.</summary>
    public ValueTask PutAsync(ColumnFamily cf, IReadOnlyList<(byte[] Key, byte[] Value, ulong Ttl)> entries, CancellationToken cancellationToken)
    {
        var now = NowSeconds;
        var batch = new WriteBatch(entries.Count);
        foreach (var (key, value, ttl) in entries)
        {
            batch.Put(cf, key, RawValueCodec.Encode(value, RawValueCodec.ExpiryFor(ttl, now)));
        }

        return _engine.WriteAsync(batch, cancellationToken);
    }

    /// <summary>Deletes <paramref name="keys"/> atomically.</summary>
    public ValueTask DeleteAsync(ColumnFamily cf, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        var batch = new WriteBatch(keys.Count);
        foreach (var key in keys)
        {
            batch.Delete(cf, key);
        }

        return _engine.WriteAsync(batch, cancellationToken);
    }

    /// <summary>Deletes every key in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public ValueTask DeleteRangeAsync(ColumnFamily cf, byte[] start, byte[] end, CancellationToken cancellationToken)
    {
        var batch = new WriteBatch(1);
        batch.DeleteRange(cf, start, end);
        return _engine.WriteAsync(batch, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> under the lock shared by all atomic raw commands (CAS and the
    /// <c>for_cas</c> puts and deletes), as TiKV serialises them through its scheduler latches.
    /// </summary>
    public async Task<T> RunAtomicAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await _atomic.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            _atomic.Release();
        }
    }

    /// <summary>
    /// TiKV's <c>RawCompareAndSwap</c>: when the current live value equals <paramref name="expected"/> (null =
    /// must not exist) the key is set to <paramref name="value"/> (or deleted). Returns the previous value and
    /// whether the swap happened.
    /// </summary>
    public Task<(byte[]? Previous, bool Succeeded)> CompareAndSwapAsync(
        ColumnFamily cf, byte[] key, byte[]? expected, byte[] value, ulong ttl, bool delete, CancellationToken cancellationToken) =>
        RunAtomicAsync(
            async () =>
            {
                var previous = Get(cf, key);
                var matches = previous is null ? expected is null : expected is not null && previous.AsSpan().SequenceEqual(expected);
                if (!matches)
                {
                    return (previous, false);
                }

                if (delete)
                {
                    await DeleteAsync(cf, [key], cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await PutAsync(cf, [(key, value, ttl)], cancellationToken).ConfigureAwait(false);
                }

                return (previous, true);
            },
            cancellationToken);

    /// <summary>
    /// TiKV's <c>raw_checksum_ranges</c> with <c>Crc64_Xor</c>: the XOR of CRC-64 over key‖value of every entry,
    /// the entry count and the byte count, over the default CF. Expired entries are skipped.
    /// </summary>
    public (ulong Checksum, ulong TotalKvs, ulong TotalBytes) Checksum(IEnumerable<(byte[] Start, byte[] End)> ranges)
    {
        ulong checksum = 0, kvs = 0, bytes = 0;
        var now = NowSeconds;
        foreach (var (start, end) in ranges)
        {
            foreach (var entry in _engine.Scan(ColumnFamily.Default, start, end))
            {
                if (RawValueCodec.IsExpired(entry.Value, now))
                {
                    continue;
                }

                var value = RawValueCodec.UserValue(entry.Value);
                checksum ^= Crc64.Compute(entry.Key, value);
                kvs++;
                bytes += (ulong)(entry.Key.Length + value.Length);
            }
        }

        return (checksum, kvs, bytes);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _atomic.Dispose();
        await _engine.DisposeAsync().ConfigureAwait(false);
    }
}
