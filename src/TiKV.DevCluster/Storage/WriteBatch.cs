namespace TiKV.DevCluster.Storage;

/// <summary>
/// An ordered list of puts and deletes applied atomically by <see cref="IStorageEngine.WriteAsync"/>.
/// Later operations on the same key win, as in a RocksDB write batch. Not thread-safe.
/// </summary>
internal sealed class WriteBatch
{
    private readonly List<WriteOperation> _operations;

    /// <summary>Creates an empty batch.</summary>
    public WriteBatch()
    {
        _operations = [];
    }

    /// <summary>Creates an empty batch sized for <paramref name="capacity"/> operations.</summary>
    public WriteBatch(int capacity)
    {
        _operations = new List<WriteOperation>(capacity);
    }

    /// <summary>Number of operations.</summary>
    public int Count => _operations.Count;

    /// <summary>Whether the batch holds no operation.</summary>
    public bool IsEmpty => _operations.Count == 0;

    /// <summary>The operations in the order they were added.</summary>
    public IReadOnlyList<WriteOperation> Operations => _operations;

    /// <summary>Inserts or overwrites <paramref name="key"/>. The arrays are kept, not copied.</summary>
    public void Put(ColumnFamily cf, byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _operations.Add(new WriteOperation(WriteOperationKind.Put, cf, key, value, []));
    }

    /// <summary>Removes <paramref name="key"/> if present.</summary>
    public void Delete(ColumnFamily cf, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _operations.Add(new WriteOperation(WriteOperationKind.Delete, cf, key, [], []));
    }

    /// <summary>Removes every key in [<paramref name="start"/>, <paramref name="end"/>); an empty end is unbounded.</summary>
    public void DeleteRange(ColumnFamily cf, byte[] start, byte[] end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        _operations.Add(new WriteOperation(WriteOperationKind.DeleteRange, cf, start, [], end));
    }

    /// <summary>Removes all operations so the batch can be reused.</summary>
    public void Clear() => _operations.Clear();

    /// <summary>
    /// What every engine checks before applying <paramref name="batch"/>: the outcome when it must not be applied
    /// (cancelled, empty, or naming an unknown column family), null when it must.
    /// </summary>
    internal static Task? Precheck(WriteBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (batch.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var operations = batch._operations;
        for (var i = 0; i < operations.Count; i++)
        {
            if ((uint)operations[i].Cf > (uint)ColumnFamily.Write)
            {
                return Task.FromException(new ArgumentException($"Operation {i} names unknown column family {operations[i].Cf}.", nameof(batch)));
            }
        }

        return null;
    }
}
