using System.Diagnostics.CodeAnalysis;

namespace TiKV.DevCluster.Storage;

/// <summary>Reads: the memtable layers merged over the main tables.</summary>
internal sealed partial class SqliteStorageEngine
{
    private const int FirstScanChunkSize = 32;
    private const int MaxScanChunkSize = 1024;

    /// <inheritdoc />
    public bool TryGet(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value)
    {
        ValidateCf(cf);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var probe = new DurableMemtableEntry(key.ToArray(), null);
        DurableLookup found;
        lock (_memtableLock)
        {
            found = _active.Lookup(cf, probe, out value);
            if (found == DurableLookup.Unknown && _frozen is { } frozen)
            {
                found = frozen.Lookup(cf, probe, out value);
            }
        }

        if (found != DurableLookup.Unknown)
        {
            return found == DurableLookup.Found;
        }

        // Not in the memtable: the main tables hold the key's latest state (a fold committing meanwhile only copies
        // what the memtable already said about other keys, or newer writes of this one).
        var reader = Rent();
        try
        {
            value = reader.Get(cf, key);
            return value is not null;
        }
        finally
        {
            Return(reader);
        }
    }

    /// <inheritdoc />
    public bool TrySeek(ColumnFamily cf, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value)
    {
        ValidateCf(cf);
        var from = start.ToArray();
        var to = end.IsEmpty ? null : end.ToArray();
        var found = new List<KeyValuePair<byte[], byte[]>>(1);
        var limit = 1;
        while (true)
        {
            var bound = CollectChunk(cf, reverse: false, from, to, limit, found);
            if (found.Count > 0)
            {
                key = found[0].Key;
                value = found[0].Value;
                return true;
            }

            if (bound is null)
            {
                key = null;
                value = null;
                return false;
            }

            // Everything up to the bound was deleted: look further, in larger steps.
            from = Successor(bound);
            limit = Math.Min(limit * 4, MaxScanChunkSize);
        }
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, bool reverse = false)
    {
        ValidateCf(cf);
        return ScanChunks(cf, start.ToArray(), end.IsEmpty ? null : end.ToArray(), reverse);
    }

    /// <inheritdoc />
    public StorageRangeStats EstimateRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end)
    {
        var startKey = start.ToArray();
        var endKey = end.IsEmpty ? null : end.ToArray();
        long keys = 0;
        long bytes = 0;
        var reader = Rent();
        try
        {
            for (var cf = ColumnFamily.Default; cf <= ColumnFamily.Write; cf++)
            {
                var stats = reader.Estimate(cf, startKey, endKey);
                keys += stats.Keys;
                bytes += stats.Bytes;
            }
        }
        finally
        {
            Return(reader);
        }

        // Memtable entries are added as if new: an estimate, as RocksDB's is, and exact for fresh keys.
        lock (_memtableLock)
        {
            for (var cf = ColumnFamily.Default; cf <= ColumnFamily.Write; cf++)
            {
                var active = _active.Estimate(cf, startKey, endKey ?? []);
                keys += active.Keys;
                bytes += active.Bytes;
                if (_frozen is { } frozen)
                {
                    var folding = frozen.Estimate(cf, startKey, endKey ?? []);
                    keys += folding.Keys;
                    bytes += folding.Bytes;
                }
            }
        }

        return new StorageRangeStats(keys, bytes);
    }

    /// <summary>The smallest key greater than <paramref name="key"/>: the key followed by a zero byte.</summary>
    private static byte[] Successor(byte[] key)
    {
        var next = new byte[key.Length + 1];
        key.CopyTo(next, 0);
        return next;
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> ScanChunks(ColumnFamily cf, byte[] start, byte[]? end, bool reverse)
    {
        var chunk = new List<KeyValuePair<byte[], byte[]>>(FirstScanChunkSize);
        var limit = FirstScanChunkSize;
        while (true)
        {
            chunk.Clear();
            var bound = CollectChunk(cf, reverse, start, end, limit, chunk);
            foreach (var entry in chunk)
            {
                yield return entry;
            }

            if (bound is null)
            {
                yield break;
            }

            limit = Math.Min(limit * 4, MaxScanChunkSize);
            if (reverse)
            {
                end = bound;
            }
            else
            {
                start = Successor(bound);
            }
        }
    }

    /// <summary>
    /// Collects the next live entries of [start, end) in scan order into <paramref name="into"/>: up to
    /// <paramref name="limit"/> from each memtable layer and from the main table, merged newest first. Returns the
    /// bound the chunk is complete up to (and including) when a source had more, or null when the range is done.
    /// </summary>
    private byte[]? CollectChunk(ColumnFamily cf, bool reverse, byte[] start, byte[]? end, int limit, List<KeyValuePair<byte[], byte[]>> into)
    {
        var active = new List<KeyValuePair<byte[], byte[]?>>();
        var frozen = new List<KeyValuePair<byte[], byte[]?>>();
        var main = new List<KeyValuePair<byte[], byte[]>>();
        while (true)
        {
            DurableMemtable activeLayer;
            bool activeMore;
            var frozenMore = false;
            DurableRangeTombstone[] activeRanges;
            DurableRangeTombstone[] frozenRanges = [];
            lock (_memtableLock)
            {
                activeLayer = _active;
                activeMore = activeLayer.Collect(cf, start, end, reverse, limit, active);
                activeRanges = activeLayer.Ranges(cf);
                if (_frozen is { } frozenLayer)
                {
                    frozenMore = frozenLayer.Collect(cf, start, end, reverse, limit, frozen);
                    frozenRanges = frozenLayer.Ranges(cf);
                }
            }

            var reader = Rent();
            try
            {
                reader.ScanChunk(cf, reverse, start, end, limit, main);
            }
            finally
            {
                Return(reader);
            }

            // The main tables were read after the memtable. A fold of the layer taken as active may have committed
            // in between, bringing batches newer than what was taken from it; read again (it happens once per fold
            // at most, and the layers have moved on by then).
            if (activeLayer.FoldCommitting)
            {
                active.Clear();
                frozen.Clear();
                main.Clear();
                continue;
            }

            var sources = new DurableMergeSources(active, activeMore, activeRanges, frozen, frozenMore, frozenRanges, main, main.Count == limit);
            return sources.Merge(reverse, into);
        }
    }
}
