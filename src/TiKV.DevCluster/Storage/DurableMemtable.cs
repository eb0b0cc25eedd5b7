namespace TiKV.DevCluster.Storage;

/// <summary>
/// One layer of <see cref="SqliteStorageEngine"/>'s memtable: the effect of a run of logged write batches that is
/// not yet in the main tables, per column family as sorted entries (values and tombstones) plus delete-ranges.
/// The engine's write loop mutates the active layer under the memtable write lock; once frozen, a layer is only
/// read (by readers under the read lock and by the fold, which copies it into the main tables).
/// </summary>
internal sealed class DurableMemtable
{
    // Accounted per entry on top of key and value: the sorted-set node holding it and the arrays' headers.
    private const int EntryOverhead = 80;

    private readonly SortedSet<DurableMemtableEntry>[] _entries =
    [
        new(DurableMemtableEntryComparer.Instance),
        new(DurableMemtableEntryComparer.Instance),
        new(DurableMemtableEntryComparer.Instance),
    ];

    private readonly List<DurableRangeTombstone>[] _ranges = [[], [], []];
    private volatile bool _foldCommitting;

    /// <summary>Approximate memory held, in bytes: what backpressure and the fold trigger measure.</summary>
    public long Bytes { get; private set; }

    /// <summary>Whether the layer holds nothing.</summary>
    public bool IsEmpty => Bytes == 0;

    /// <summary>The log sequence of the last operation applied to this layer.</summary>
    public long LastSequence { get; set; }

    /// <summary>Completes with true once the layer is in the main tables, false if the fold was abandoned at close.</summary>
    public TaskCompletionSource<bool> Folded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Set just before the fold of this layer commits. A reader that took this layer as the active one and then
    /// read the main tables may have seen writes newer than what it took, so it must read again.
    /// </summary>
    public bool FoldCommitting => _foldCommitting;

    public void MarkFoldCommitting() => _foldCommitting = true;

    /// <summary>Applies one logged operation. Caller holds the memtable write lock.</summary>
    public void Apply(in WriteOperation op)
    {
        var cf = (int)op.Cf;
        switch (op.Kind)
        {
            case WriteOperationKind.Put:
                Set(cf, op.Key, op.Value);
                break;
            case WriteOperationKind.Delete:
                Set(cf, op.Key, null);
                break;
            default:
                // Entries of this layer in the range are older than the delete-range: drop them, so every entry
                // left in a covered range is newer than the range (the invariant reads and the fold rely on).
                var set = _entries[cf];
                if (set.Count > 0)
                {
                    foreach (var doomed in InRange(set, op.Key, op.End, reverse: false).ToList())
                    {
                        set.Remove(doomed);
                        Bytes -= Size(doomed.StoredKey, doomed.Value);
                    }
                }

                _ranges[cf].Add(new DurableRangeTombstone(op.Key, op.End));
                Bytes += op.Key.Length + op.End.Length + EntryOverhead;
                break;
        }
    }

    /// <summary>What this layer says about <paramref name="probe"/>. Caller holds the memtable read lock.</summary>
    public DurableLookup Lookup(ColumnFamily cf, DurableMemtableEntry probe, out byte[]? value)
    {
        var set = _entries[(int)cf];
        if (set.Count > 0 && set.TryGetValue(probe, out var entry))
        {
            value = entry.Value;
            return value is null ? DurableLookup.Deleted : DurableLookup.Found;
        }

        value = null;
        var ranges = _ranges[(int)cf];
        for (var i = 0; i < ranges.Count; i++)
        {
            if (ranges[i].Covers(probe.StoredKey))
            {
                return DurableLookup.Deleted;
            }
        }

        return DurableLookup.Unknown;
    }

    /// <summary>
    /// Copies up to <paramref name="limit"/> entries (tombstones included, as null values) of [start, end) in scan
    /// order into <paramref name="into"/>; true when the limit was reached, so more may follow.
    /// Caller holds the memtable read lock.
    /// </summary>
    public bool Collect(ColumnFamily cf, byte[] start, byte[]? end, bool reverse, int limit, List<KeyValuePair<byte[], byte[]?>> into)
    {
        var set = _entries[(int)cf];
        if (set.Count == 0)
        {
            return false;
        }

        foreach (var entry in InRange(set, start, end ?? [], reverse))
        {
            if (into.Count == limit)
            {
                return true;
            }

            into.Add(new KeyValuePair<byte[], byte[]?>(entry.StoredKey, entry.Value));
        }

        return false;
    }

    /// <summary>The delete-ranges of <paramref name="cf"/>. Caller holds the memtable read lock.</summary>
    public DurableRangeTombstone[] Ranges(ColumnFamily cf)
    {
        var ranges = _ranges[(int)cf];
        return ranges.Count == 0 ? [] : [.. ranges];
    }

    /// <summary>Live entries and their key and value bytes in [start, end). Caller holds the memtable read lock.</summary>
    public StorageRangeStats Estimate(ColumnFamily cf, byte[] start, byte[] end)
    {
        var set = _entries[(int)cf];
        long keys = 0;
        long bytes = 0;
        if (set.Count > 0)
        {
            foreach (var entry in InRange(set, start, end, reverse: false))
            {
                if (entry.Value is not null)
                {
                    keys++;
                    bytes += entry.StoredKey.Length + entry.Value.Length;
                }
            }
        }

        return new StorageRangeStats(keys, bytes);
    }

    /// <summary>The sorted entries of a frozen layer, for the fold.</summary>
    public IEnumerable<DurableMemtableEntry> Entries(ColumnFamily cf) => _entries[(int)cf];

    /// <summary>The delete-ranges of a frozen layer in the order they were applied, for the fold.</summary>
    public IReadOnlyList<DurableRangeTombstone> RangesInOrder(ColumnFamily cf) => _ranges[(int)cf];

    /// <summary>The entries of [start, end) (empty end = unbounded) in ascending or descending order.</summary>
    private static IEnumerable<DurableMemtableEntry> InRange(SortedSet<DurableMemtableEntry> set, byte[] start, byte[] end, bool reverse)
    {
        var low = new DurableMemtableEntry(start, null);
        var high = end.Length == 0 ? DurableMemtableEntryComparer.AfterAll : new DurableMemtableEntry(end, null);
        if (DurableMemtableEntryComparer.Instance.Compare(low, high) >= 0)
        {
            yield break;
        }

        // A view is inclusive at both ends: the exclusive end is skipped by hand.
        var view = set.GetViewBetween(low, high);
        foreach (var entry in reverse ? view.Reverse() : view)
        {
            if (end.Length != 0 && entry.StoredKey.AsSpan().SequenceEqual(end))
            {
                if (reverse)
                {
                    continue;
                }

                yield break;
            }

            yield return entry;
        }
    }

    private void Set(int cf, byte[] key, byte[]? value)
    {
        var set = _entries[cf];
        var entry = new DurableMemtableEntry(key, value);
        if (set.Add(entry))
        {
            Bytes += Size(key, value);
            return;
        }

        // Entries are immutable structs inside the set's nodes: an overwrite replaces the entry.
        set.TryGetValue(entry, out var existing);
        set.Remove(existing);
        set.Add(entry);
        Bytes += (value?.Length ?? 0) - (existing.Value?.Length ?? 0);
    }

    private static long Size(byte[] key, byte[]? value) => key.Length + (value?.Length ?? 0) + EntryOverhead;
}
