using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The write-ahead log of <see cref="SqliteStorageEngine"/>: a table in its own SQLite database with one row per
/// group commit (its operations as a <see cref="DurableLogRecord"/>) keyed by the sequence of its last operation
/// (the rowid), so a commit appends to the end of one B-tree, touching a few adjacent pages whatever keys the
/// batches carry. Rows are deleted once folded into the
/// main tables. A separate database file lets the fold's long transactions run beside these commits.
/// </summary>
internal sealed class SqliteLogConnection : IDisposable
{
    private readonly SqliteWalWriter _writer;
    private readonly SqliteStatement _append;
    private readonly SqliteStatement _truncate;

    public SqliteLogConnection(string path, bool fsyncEveryCommit)
    {
        // Same durability as the main tables: a committed append survives a killed process, and with FULL sync the
        // loss of the machine.
        _writer = new SqliteWalWriter(
            new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString(),
            fsyncEveryCommit);
        try
        {
            _writer.Execute("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, ops BLOB NOT NULL)");
            _append = new SqliteStatement(_writer.Connection, "INSERT INTO log (seq, ops) VALUES ($seq, $ops)");
            _truncate = new SqliteStatement(_writer.Connection, "DELETE FROM log WHERE seq <= $seq");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Begin() => _writer.Begin();

    public void Commit() => _writer.Commit();

    public void Rollback() => _writer.Rollback();

    /// <summary>Appends one group's record, whose last operation has <paramref name="sequence"/>; inside a transaction.</summary>
    public void Append(long sequence, ReadOnlySpan<byte> record)
    {
        _append.BindInt64(1, sequence);
        _append.BindBlob(2, record);
        _append.Execute();
    }

    /// <summary>Deletes the operations up to <paramref name="sequence"/>: they are in the main tables.</summary>
    public void Truncate(long sequence)
    {
        _truncate.BindInt64(1, sequence);
        _truncate.Execute();
    }

    /// <summary>The highest sequence in the log, 0 when empty.</summary>
    public long LastSequence()
    {
        using var statement = new SqliteStatement(_writer.Connection, "SELECT coalesce(max(seq), 0) FROM log");
        return statement.Step() ? statement.ColumnInt64(0) : 0;
    }

    /// <summary>
    /// Replays the groups whose operations come after <paramref name="sequence"/>, in log order, each operation with
    /// the sequence of its group's last one (folds only ever end at a group's end).
    /// </summary>
    public void ReadAfter(long sequence, Action<long, WriteOperation> apply)
    {
        using var statement = new SqliteStatement(_writer.Connection, "SELECT seq, ops FROM log WHERE seq > $seq ORDER BY seq");
        statement.BindInt64(1, sequence);
        while (statement.Step())
        {
            var seq = statement.ColumnInt64(0);
            DurableLogRecord.Read(statement.ColumnBlob(1), seq, op => apply(seq, op));
        }
    }

    public void Dispose()
    {
        // Null-tolerant: a constructor that failed half-way disposes what it had prepared.
        _append?.Dispose();
        _truncate?.Dispose();
        _writer.Dispose();
    }
}
