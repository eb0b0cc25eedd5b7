using System.Collections;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// An ordered list of puts and deletes applied atomically by <see cref="IStorageEngine.WriteAsync"/>.
/// Later operations on the same key win, as in a RocksDB write batch. Not thread-safe. The batch is its own
/// read-only list of operations (<see cref="Operations"/>), so a batch costs one object and one array.
/// </summary>
internal sealed class WriteBatch : IReadOnlyList<WriteOperation>
{
    private WriteOperation[] _operations;
    private int _count;

    /// <summary>Creates an empty batch.</summary>
    public WriteBatch()
        : this(4)
    {
    }

    /// <summary>Creates an empty batch sized for <paramref name="capacity"/> operations.</summary>
    public WriteBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _operations = capacity == 0 ? [] : new WriteOperation[capacity];
    }

    /// <summary>Number of operations.</summary>
    public int Count => _count;

    /// <summary>Number of operations the batch holds without growing.</summary>
    internal int Capacity => _operations.Length;

    /// <summary>Whether the batch holds no operation.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The operations in the order they were added.</summary>
    public IReadOnlyList<WriteOperation> Operations => this;

    /// <summary>The operations in the order they were added, without an interface call per operation.</summary>
    internal ReadOnlySpan<WriteOperation> Span => _operations.AsSpan(0, _count);

    /// <inheritdoc />
    WriteOperation IReadOnlyList<WriteOperation>.this[int index]
        => (uint)index < (uint)_count ? _operations[index] : throw new ArgumentOutOfRangeException(nameof(index), index, "No such operation in the batch.");

    /// <summary>Inserts or overwrites <paramref name="key"/>. The arrays are kept, not copied.</summary>
    public void Put(ColumnFamily cf, byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Add(new WriteOperation(WriteOperationKind.Put, cf, key, value, []));
    }

    /// <summary>Removes <paramref name="key"/> if present.</summary>
    public void Delete(ColumnFamily cf, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Add(new WriteOperation(WriteOperationKind.Delete, cf, key, [], []));
    }

    /// <summary>Removes every key in [<paramref name="start"/>, <paramref name="end"/>); an empty end is unbounded.</summary>
    public void DeleteRange(ColumnFamily cf, byte[] start, byte[] end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        Add(new WriteOperation(WriteOperationKind.DeleteRange, cf, start, [], end));
    }

    /// <inheritdoc />
    IEnumerator<WriteOperation> IEnumerable<WriteOperation>.GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _operations[i];
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<WriteOperation>)this).GetEnumerator();

    /// <summary>Grows the batch so it holds <paramref name="capacity"/> operations without growing again.</summary>
    internal void EnsureCapacity(int capacity)
    {
        if (capacity > _operations.Length)
        {
            Array.Resize(ref _operations, capacity);
        }
    }

    /// <summary>Removes all operations so the batch can be reused.</summary>
    public void Clear()
    {
        Array.Clear(_operations, 0, _count);
        _count = 0;
    }

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

        var operations = batch.Span;
        for (var i = 0; i < operations.Length; i++)
        {
            if ((uint)operations[i].Cf > (uint)ColumnFamily.Write)
            {
                return Task.FromException(new ArgumentException($"Operation {i} names unknown column family {operations[i].Cf}.", nameof(batch)));
            }
        }

        return null;
    }

    private void Add(WriteOperation operation)
    {
        if (_count == _operations.Length)
        {
            Array.Resize(ref _operations, Math.Max(4, _count * 2));
        }

        _operations[_count++] = operation;
    }
}
