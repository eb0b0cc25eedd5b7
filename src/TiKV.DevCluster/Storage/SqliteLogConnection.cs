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
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _append;
    private readonly SqliteStatement _truncate;
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _rollback;

    public SqliteLogConnection(string path, bool fsyncEveryCommit)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            _connection.Open();
            SqliteStatement.SetBusyTimeout(_connection);

            // Same promise as the main tables: a committed append is in the WAL file through the operating system
            // (survives a killed process); FULL also fsyncs it (survives losing the machine).
            Execute("PRAGMA journal_mode=WAL");
            Execute(fsyncEveryCommit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            Execute("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, ops BLOB NOT NULL)");
            _append = new SqliteStatement(_connection, "INSERT INTO log (seq, ops) VALUES ($seq, $ops)");
            _truncate = new SqliteStatement(_connection, "DELETE FROM log WHERE seq <= $seq");
            _begin = new SqliteStatement(_connection, "BEGIN IMMEDIATE");
            _commit = new SqliteStatement(_connection, "COMMIT");
            _rollback = new SqliteStatement(_connection, "ROLLBACK");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Begin() => _begin.Execute();

    public void Commit() => _commit.Execute();

    public void Rollback() => _rollback.Execute();

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
        using var statement = new SqliteStatement(_connection, "SELECT coalesce(max(seq), 0) FROM log");
        return statement.Step() ? statement.ColumnInt64(0) : 0;
    }

    /// <summary>
    /// Replays the groups whose operations come after <paramref name="sequence"/>, in log order, each operation with
    /// the sequence of its group's last one (folds only ever end at a group's end).
    /// </summary>
    public void ReadAfter(long sequence, Action<long, WriteOperation> apply)
    {
        using var statement = new SqliteStatement(_connection, "SELECT seq, ops FROM log WHERE seq > $seq ORDER BY seq");
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
        _begin?.Dispose();
        _commit?.Dispose();
        _rollback?.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
