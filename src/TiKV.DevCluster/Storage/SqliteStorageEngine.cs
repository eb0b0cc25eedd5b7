using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The durable engine, shaped like an LSM tree over SQLite databases in a data directory. Writes use group commit:
/// concurrent <see cref="WriteAsync"/> calls queue their batches and a single writer appends as many as are waiting
/// to a write-ahead log table (its own database, WAL journal) in one transaction, then applies them to an in-memory
/// memtable and acknowledges them all (what RocksDB's write group, WAL and memtable do for TiKV). Appending by
/// sequence writes a few adjacent pages per commit however scattered the keys are, where updating the key-ordered
/// tables directly would rewrite one page per key. A background fold copies a full memtable into the main tables
/// (one WITHOUT ROWID table per column family) in one sorted transaction, so each page is written once for all its
/// keys, then the log is truncated. Reads merge the memtable over the main tables; an open replays the log.
/// Durability: synchronous NORMAL or FULL, see <see cref="SqliteStorageOptions"/>.
/// </summary>
internal sealed partial class SqliteStorageEngine : IStorageEngine
{
    /// <summary>The main database file name inside the data directory.</summary>
    public const string FileName = "tikv.db";

    /// <summary>The write-ahead log database file name inside the data directory.</summary>
    public const string LogFileName = "tikv-log.db";

    private readonly string _readConnectionString;
    private readonly SqliteWriteConnection _writer;
    private readonly SqliteLogConnection _log;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<DurableMemtable> _folds = Channel.CreateUnbounded<DurableMemtable>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly ConcurrentBag<SqliteReadConnection> _readers = [];
    private readonly CancellationTokenSource _closing = new();
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly Task _writeLoop;
    private readonly Task _foldLoop;
    private readonly int _maxBatchesPerCommit;
    private readonly long _foldBytes;
    private readonly long _maxMemtableBytes;
    private int _disposed;

    private SqliteStorageEngine(string directory, SqliteStorageOptions options)
    {
        // Validated before anything is opened, so bad options leave no connection or file behind.
        _maxBatchesPerCommit = options.MaxBatchesPerCommit > 0
            ? options.MaxBatchesPerCommit
            : throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatchesPerCommit, "MaxBatchesPerCommit must be positive.");
        _foldBytes = options.MemtableFoldBytes > 0
            ? options.MemtableFoldBytes
            : throw new ArgumentOutOfRangeException(nameof(options), options.MemtableFoldBytes, "MemtableFoldBytes must be positive.");
        _maxMemtableBytes = options.MaxMemtableBytes >= options.MemtableFoldBytes
            ? options.MaxMemtableBytes
            : throw new ArgumentOutOfRangeException(nameof(options), options.MaxMemtableBytes, "MaxMemtableBytes must be at least MemtableFoldBytes.");
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
        try
        {
            _log = new SqliteLogConnection(Path.Combine(directory, LogFileName), options.FsyncEveryCommit);
            try
            {
                Replay();
            }
            catch
            {
                _log.Dispose();
                throw;
            }
        }
        catch
        {
            _writer.Dispose();
            _closing.Dispose();
            throw;
        }

        DataDirectory = directory;
        if (_active.Bytes >= _foldBytes)
        {
            Freeze();
        }

        _writeLoop = Task.Run(WriteLoopAsync);
        _foldLoop = Task.Run(FoldLoopAsync);
    }

    /// <summary>The directory holding the databases.</summary>
    public string DataDirectory { get; }

    /// <summary>Opens (creating if needed) the database in <paramref name="directory"/>, replaying its log.</summary>
    public static SqliteStorageEngine Open(string directory, SqliteStorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new SqliteStorageEngine(directory, options ?? new SqliteStorageOptions());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Queued batches are still committed; the last memtable gets one fold attempt (what it misses stays in the
        // log and is replayed by the next open), then the folded part of the log is dropped.
        await _closing.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        await _foldLoop.ConfigureAwait(false);
        TruncateFoldedLog();
        _log.Dispose();
        _writer.Dispose();
        _closing.Dispose();
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
}
