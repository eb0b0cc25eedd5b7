using System.Diagnostics.CodeAnalysis;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The default, volatile engine. Writers are serialized by one lock; point reads and scans take no lock.
/// Batches stay atomic for scans through a sequence counter (a seqlock): a scan chunk collected while a
/// batch was being applied is discarded and collected again, falling back to the write lock if writers
/// keep winning. Each point read is linearizable; operations of a batch become visible in batch order.
/// </summary>
internal sealed class MemoryStorageEngine : IStorageEngine
{
    // Scans collect in chunks that start small (a seek-like scan stays cheap) and grow for long scans.
    private const int FirstChunkSize = 16;
    private const int MaxChunkSize = 256;
    private const int OptimisticAttempts = 3;

    // Only the default CF (raw values and large transactional values) is read by exact key at volume. The write CF
    // is sought by version, so it indexes each user key's newest version: a point read then costs the same however
    // many versions the table holds. The lock CF holds just the in-flight locks, so a skip-list seek is as cheap
    // there as a hash lookup and saves an index update on every write.
    private readonly OrderedTable[] _tables =
    [
        new(pointIndex: true),
        new(pointIndex: false),
        new(pointIndex: false, versionIndex: true),
    ];
    private readonly Lock _writeLock = new();
    private long _sequence;

    /// <inheritdoc />
    public bool TryGet(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value)
        => Table(cf).TryGet(key, out value);

    /// <inheritdoc />
    public bool TrySeek(ColumnFamily cf, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value)
    {
        var node = Table(cf).SeekFirstAtLeast(start);
        if (node is null || (!end.IsEmpty && ByteKeyComparer.CompareKeys(node.Key, end) >= 0))
        {
            key = null;
            value = null;
            return false;
        }

        key = node.Key;
        value = node.Value;
        return true;
    }

    /// <inheritdoc />
    public bool TrySeekVersion(ColumnFamily cf, ReadOnlySpan<byte> versionKey, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value)
    {
        var node = Table(cf).SeekVersion(versionKey);
        if (node is null)
        {
            key = null;
            value = null;
            return false;
        }

        key = node.Key;
        value = node.Value;
        return true;
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, bool reverse = false)
    {
        var table = Table(cf);
        return reverse ? ScanBackward(table, start, end) : ScanForward(table, start, end);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken = default)
    {
        if (WriteBatch.Precheck(batch, cancellationToken) is { } settled)
        {
            return new ValueTask(settled);
        }

        lock (_writeLock)
        {
            Interlocked.Increment(ref _sequence);
            try
            {
                var operations = batch.Span;
                for (var i = 0; i < operations.Length; i++)
                {
                    var op = operations[i];
                    var table = Table(op.Cf);
                    switch (op.Kind)
                    {
                        case WriteOperationKind.Put:
                            table.Put(op.Key, op.Value);
                            break;
                        case WriteOperationKind.Delete:
                            table.Remove(op.Key);
                            break;
                        default:
                            table.RemoveRange(op.Key, op.End);
                            break;
                    }
                }
            }
            finally
            {
                Interlocked.Increment(ref _sequence);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public StorageRangeStats EstimateRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end)
    {
        long keys = 0;
        long bytes = 0;
        foreach (var table in _tables)
        {
            var stats = table.Estimate(start.Span, end.Span);
            keys += stats.Keys;
            bytes += stats.Bytes;
        }

        return new StorageRangeStats(keys, bytes);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private OrderedTable Table(ColumnFamily cf)
    {
        var index = (int)cf;
        if ((uint)index >= (uint)_tables.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(cf), cf, "Unknown column family.");
        }

        return _tables[index];
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> ScanForward(OrderedTable table, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end)
    {
        var chunk = new List<KeyValuePair<byte[], byte[]>>(FirstChunkSize);
        var limit = FirstChunkSize;
        byte[]? after = null;
        while (true)
        {
            chunk.Clear();
            CollectConsistently(chunk, () => CollectForward(table, chunk, limit, start, end, after));
            foreach (var entry in chunk)
            {
                yield return entry;
            }

            if (chunk.Count < limit)
            {
                yield break;
            }

            after = chunk[^1].Key;
            limit = Math.Min(limit * 4, MaxChunkSize);
        }
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> ScanBackward(OrderedTable table, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end)
    {
        var chunk = new List<KeyValuePair<byte[], byte[]>>(FirstChunkSize);
        var limit = FirstChunkSize;
        var before = end.IsEmpty ? null : end.ToArray();
        while (true)
        {
            chunk.Clear();
            CollectConsistently(chunk, () => CollectBackward(table, chunk, limit, start, before));
            foreach (var entry in chunk)
            {
                yield return entry;
            }

            if (chunk.Count < limit)
            {
                yield break;
            }

            before = chunk[^1].Key;
            limit = Math.Min(limit * 4, MaxChunkSize);
        }
    }

    private void CollectConsistently(List<KeyValuePair<byte[], byte[]>> chunk, Action collect)
    {
        for (var attempt = 0; attempt < OptimisticAttempts; attempt++)
        {
            var before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                collect();
                if (Volatile.Read(ref _sequence) == before)
                {
                    return;
                }
            }

            chunk.Clear();
            Thread.Yield();
        }

        lock (_writeLock)
        {
            collect();
        }
    }

    private static void CollectForward(OrderedTable table, List<KeyValuePair<byte[], byte[]>> chunk, int limit, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, byte[]? after)
    {
        var endSpan = end.Span;
        var node = after is null ? table.SeekFirstAtLeast(start.Span) : table.SeekFirstAtLeast(after);
        if (after is not null && node is not null && node.Key.AsSpan().SequenceEqual(after))
        {
            node = node.NextAt(0);
        }

        while (node is not null && chunk.Count < limit)
        {
            if (!endSpan.IsEmpty && ByteKeyComparer.CompareKeys(node.Key, endSpan) >= 0)
            {
                return;
            }

            chunk.Add(new KeyValuePair<byte[], byte[]>(node.Key, node.Value));
            node = node.NextAt(0);
        }
    }

    private static void CollectBackward(OrderedTable table, List<KeyValuePair<byte[], byte[]>> chunk, int limit, ReadOnlyMemory<byte> start, byte[]? before)
    {
        var startSpan = start.Span;
        var node = table.SeekLastBefore(before, before is null);
        while (node is not null && chunk.Count < limit)
        {
            if (ByteKeyComparer.CompareKeys(node.Key, startSpan) < 0)
            {
                return;
            }

            chunk.Add(new KeyValuePair<byte[], byte[]>(node.Key, node.Value));
            node = table.SeekLastBefore(node.Key, unbounded: false);
        }
    }
}
