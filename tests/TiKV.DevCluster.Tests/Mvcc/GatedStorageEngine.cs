using System.Diagnostics.CodeAnalysis;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>
/// An in-memory engine whose writes can be held at the door, so a test can look at the engine while a command
/// sits between deciding its writes and applying them (where TiKV keeps async-commit locks in memory only).
/// </summary>
internal sealed class GatedStorageEngine : IStorageEngine
{
    private readonly MemoryStorageEngine _inner = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource? _closed;
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes every later write wait until <see cref="Open"/>.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets held and later writes through.</summary>
    public void Open()
    {
        TaskCompletionSource? closed;
        lock (_gate)
        {
            closed = _closed;
            _closed = null;
        }

        closed?.TrySetResult();
    }

    /// <summary>Completes once a write is waiting at the closed gate.</summary>
    public Task WriteHeld
    {
        get
        {
            lock (_gate)
            {
                return _held.Task;
            }
        }
    }

    public bool TryGet(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value) => _inner.TryGet(cf, key, out value);

    public bool TrySeek(ColumnFamily cf, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? value)
        => _inner.TrySeek(cf, start, end, out key, out value);

    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, bool reverse = false)
        => _inner.Scan(cf, start, end, reverse);

    public async ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken = default)
    {
        Task? wait;
        lock (_gate)
        {
            wait = _closed?.Task;
            if (wait is not null)
            {
                _held.TrySetResult();
            }
        }

        if (wait is not null)
        {
            await wait;
        }

        await _inner.WriteAsync(batch, cancellationToken);
    }

    public StorageRangeStats EstimateRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end) => _inner.EstimateRange(start, end);

    public ValueTask DisposeAsync()
    {
        Open();
        return _inner.DisposeAsync();
    }
}
