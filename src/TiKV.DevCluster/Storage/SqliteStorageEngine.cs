using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The durable engine: an SQLite database in a data directory, one WITHOUT ROWID table per column family,
/// WAL journal (synchronous NORMAL or FULL, see <see cref="SqliteStorageOptions"/>). Writes use group commit: concurrent <see cref="WriteAsync"/> calls
/// queue their batches and a single writer applies as many as are waiting in one transaction, acknowledging
/// them all after the commit's fsync (what RocksDB's write group does for TiKV). Reads use pooled read-only
/// connections and see committed transactions only, so each batch is atomic for readers too.
/// </summary>
internal sealed class SqliteStorageEngine : IStorageEngine
{
    /// <summary>The database file name inside the data directory.</summary>
    public const string FileName = "tikv.db";

    private const int FirstScanChunkSize = 32;
    private const int MaxScanChunkSize = 1024;

    private readonly string _readConnectionString;
    private readonly SqliteWriteConnection _writer;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentBag<SqliteReadConnection> _readers = [];
    private readonly Task _writeLoop;
    private readonly int _maxBatchesPerCommit;
    private int _disposed;

    private SqliteStorageEngine(string directory, SqliteStorageOptions options)
    {
        // Validated before anything is opened, so bad options leave no connection or file behind.
        _maxBatchesPerCommit = options.MaxBatchesPerCommit > 0
            ? options.MaxBatchesPerCommit
            : throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatchesPerCommit, "MaxBatchesPerCommit must be positive.");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        _writer = new SqliteWriteConnection(writeConnectionString, options.FsyncEveryCommit);
        DataDirectory = directory;
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>The directory holding the database.</summary>
    public string DataDirectory { get; }

    /// <summary>Opens (creating if needed) the database in <paramref name="directory"/>.</summary>
    public static SqliteStorageEngine Open(string directory, SqliteStorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new SqliteStorageEngine(directory, options ?? new SqliteStorageOptions());
    }

    /// <inheritdoc />
    public bool TryGet(ColumnFamily cf, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value)
    {
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
        var found = new List<KeyValuePair<byte[], byte[]>>(1);
        var reader = Rent();
        try
        {
            reader.ScanChunk(cf, reverse: false, start, end.IsEmpty ? null : end.ToArray(), 1, found);
        }
        finally
        {
            Return(reader);
        }

        if (found.Count == 0)
        {
            key = null;
            value = null;
            return false;
        }

        key = found[0].Key;
        value = found[0].Value;
        return true;
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, bool reverse = false)
    {
        ValidateCf(cf);
        return ScanChunks(cf, start.ToArray(), end.IsEmpty ? null : end.ToArray(), reverse);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken = default)
    {
        if (WriteBatch.Precheck(batch, cancellationToken) is { } settled)
        {
            return new ValueTask(settled);
        }

        var pending = new PendingWrite(batch);
        if (!_queue.Writer.TryWrite(pending))
        {
            return ValueTask.FromException(new ObjectDisposedException(nameof(SqliteStorageEngine)));
        }

        // Once queued the batch will be applied whatever the caller does, so cancellation is not observed here.
        return new ValueTask(pending.Completion.Task);
    }

    /// <inheritdoc />
    public StorageRangeStats EstimateRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end)
    {
        var startKey = start.ToArray();
        var endKey = end.IsEmpty ? null : end.ToArray();
        var reader = Rent();
        try
        {
            long keys = 0;
            long bytes = 0;
            for (var cf = ColumnFamily.Default; cf <= ColumnFamily.Write; cf++)
            {
                var stats = reader.Estimate(cf, startKey, endKey);
                keys += stats.Keys;
                bytes += stats.Bytes;
            }

            return new StorageRangeStats(keys, bytes);
        }
        finally
        {
            Return(reader);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        _writer.Dispose();
        DisposeReaders();
    }

    private static void ValidateCf(ColumnFamily cf)
    {
        if ((uint)cf > (uint)ColumnFamily.Write)
        {
            throw new ArgumentOutOfRangeException(nameof(cf), cf, "Unknown column family.");
        }
    }

    private SqliteReadConnection Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _readers.TryTake(out var reader) ? reader : new SqliteReadConnection(_readConnectionString);
    }

    /// <summary>
    /// Pools a connection again. A read still running when <see cref="DisposeAsync"/> drained the pool returns its
    /// connection afterwards: it is closed here instead of staying open (with its file handles) in a dead pool.
    /// </summary>
    private void Return(SqliteReadConnection reader)
    {
        _readers.Add(reader);
        if (Volatile.Read(ref _disposed) != 0)
        {
            DisposeReaders();
        }
    }

    private void DisposeReaders()
    {
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> ScanChunks(ColumnFamily cf, byte[] start, byte[]? end, bool reverse)
    {
        var chunk = new List<KeyValuePair<byte[], byte[]>>(FirstScanChunkSize);
        var limit = FirstScanChunkSize;
        while (true)
        {
            chunk.Clear();
            var reader = Rent();
            try
            {
                reader.ScanChunk(cf, reverse, start, end, limit, chunk);
            }
            finally
            {
                Return(reader);
            }

            foreach (var entry in chunk)
            {
                yield return entry;
            }

            if (chunk.Count < limit)
            {
                yield break;
            }

            limit = Math.Min(limit * 4, MaxScanChunkSize);

            var last = chunk[^1].Key;
            if (reverse)
            {
                end = last;
            }
            else
            {
                // The smallest key greater than `last` is `last` followed by a zero byte.
                start = new byte[last.Length + 1];
                last.CopyTo(start, 0);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<PendingWrite>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < _maxBatchesPerCommit && reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            CommitGroup(group);
        }
    }

    private void CommitGroup(List<PendingWrite> group)
    {
        try
        {
            _writer.Begin();
            foreach (var pending in group)
            {
                _writer.Apply(pending.Batch);
            }

            _writer.Commit();
        }
        catch (SqliteException ex)
        {
            // Only storage failures (disk full, I/O error) reach here: batches are validated before queueing.
            TryRollback();
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(ex);
            }

            return;
        }

        foreach (var pending in group)
        {
            pending.Completion.TrySetResult();
        }
    }

    private void TryRollback()
    {
        try
        {
            _writer.Rollback();
        }
        catch (SqliteException)
        {
            // The transaction is already gone (SQLite rolls back by itself on some errors).
        }
    }

    private sealed class PendingWrite(WriteBatch batch)
    {
        public WriteBatch Batch { get; } = batch;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
