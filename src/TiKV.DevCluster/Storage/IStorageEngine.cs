using System.Diagnostics.CodeAnalysis;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// An ordered key-value engine with three column families, the role RocksDB plays under TiKV.
/// Keys are ordered by unsigned byte comparison. Implementations are thread-safe.
/// </summary>
internal interface IStorageEngine : IAsyncDisposable
{
    /// <summary>Reads one key.</summary>
    bool TryGet(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value);

    /// <summary>
    /// Finds the first entry of <paramref name="cf"/> with <paramref name="start"/> ≤ key &lt; <paramref name="end"/>
    /// (empty end = unbounded): the cheap seek MVCC point reads are built on.
    /// </summary>
    bool TrySeek(ColumnFamily cf, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value);

    /// <summary>
    /// Enumerates the entries of <paramref name="cf"/> in [<paramref name="start"/>, <paramref name="end"/>)
    /// in ascending key order, or descending when <paramref name="reverse"/> is set. An empty
    /// <paramref name="end"/> means unbounded. The enumeration may observe writes made while it runs.
    /// </summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, bool reverse = false);

    /// <summary>
    /// Applies <paramref name="batch"/> atomically: readers see all of it or none of it. For a durable engine
    /// the batch survives a process crash once the returned task has completed.
    /// </summary>
    ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Approximate number of entries and bytes in [start, end) summed over all column families.</summary>
    StorageRangeStats EstimateRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end);
}
