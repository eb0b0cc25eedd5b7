using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The write-ahead log of <see cref="SqliteStorageEngine"/>: a table in its own SQLite database holding every
/// acknowledged operation under an increasing sequence (the rowid), so a group commit appends to the end of one
/// B-tree, touching a few adjacent pages whatever keys the batches carry. Rows are deleted once folded into the
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
            Execute("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, op INTEGER NOT NULL, cf INTEGER NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, e BLOB NOT NULL)");
            _append = new SqliteStatement(_connection, "INSERT INTO log (seq, op, cf, k, v, e) VALUES ($seq, $op, $cf, $k, $v, $e)");
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

    /// <summary>Appends one operation at <paramref name="sequence"/>; inside a transaction.</summary>
    public void Append(long sequence, in WriteOperation op)
    {
        _append.BindInt64(1, sequence);
        _append.BindInt64(2, (long)op.Kind);
        _append.BindInt64(3, (long)op.Cf);
        _append.BindBlob(4, op.Key);
        _append.BindBlob(5, op.Value);
        _append.BindBlob(6, op.End);
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

    /// <summary>Replays the operations after <paramref name="sequence"/> in log order.</summary>
    public void ReadAfter(long sequence, Action<long, WriteOperation> apply)
    {
        using var statement = new SqliteStatement(_connection, "SELECT seq, op, cf, k, v, e FROM log WHERE seq > $seq ORDER BY seq");
        statement.BindInt64(1, sequence);
        while (statement.Step())
        {
            var seq = statement.ColumnInt64(0);
            var kind = statement.ColumnInt64(1);
            var cf = statement.ColumnInt64(2);
            if (kind is < (long)WriteOperationKind.Put or > (long)WriteOperationKind.DeleteRange || cf is < (long)ColumnFamily.Default or > (long)ColumnFamily.Write)
            {
                throw new InvalidDataException($"Write-ahead log row {seq} holds unknown operation {kind} or column family {cf}.");
            }

            apply(seq, new WriteOperation((WriteOperationKind)kind, (ColumnFamily)cf, statement.ColumnBlob(3), statement.ColumnBlob(4), statement.ColumnBlob(5)));
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
