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
    /// Finds the first entry of <paramref name="cf"/> at or after <paramref name="versionKey"/> that has the same
    /// length and the same bytes but the last 8: in TiKV's layout (user key + !ts), the newest version of the user
    /// key with a timestamp at or below the one in <paramref name="versionKey"/>. Engines may answer from an index
    /// of user keys; this default seeks, stepping over other keys that merely share the prefix.
    /// </summary>
    bool TrySeekVersion(ColumnFamily cf, ReadOnlySpan<byte> versionKey, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value)
    {
        const int TsLength = 8;
        key = null;
        value = null;
        if (versionKey.Length < TsLength)
        {
            return false;
        }

        var userKey = versionKey[..^TsLength];
        ReadOnlySpan<byte> start = versionKey;
        while (TrySeek(cf, start, default, out var found, out var foundValue) && found.AsSpan().StartsWith(userKey))
        {
            if (found.Length == versionKey.Length)
            {
                key = found;
                value = foundValue;
                return true;
            }

            // The smallest key after `found`: found + 0x00.
            var next = new byte[found.Length + 1];
            found.CopyTo(next, 0);
            start = next;
        }

        return false;
    }

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
