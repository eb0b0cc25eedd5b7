using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The single connection writing <see cref="SqliteStorageEngine"/>'s main tables, used by the fold, with its
/// prepared statements. The main database also records how far the write-ahead log has been folded into it.
/// </summary>
internal sealed class SqliteWriteConnection : IDisposable
{
    private const int ColumnFamilies = 3;
    private const int CacheKib = 32 * 1024;

    private readonly SqliteConnection _connection;
    private readonly SqliteStatement[] _put = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _delete = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _deleteRange = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _deleteFrom = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement _setFolded;
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _rollback;

    public SqliteWriteConnection(string connectionString, bool fsyncEveryCommit)
    {
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            SqliteStatement.SetBusyTimeout(_connection);

            // WAL lets readers run beside the writer. Either way a commit has written the WAL before it returns, so a
            // killed process loses nothing acknowledged; FULL also fsyncs each commit against losing the machine.
            Execute("PRAGMA journal_mode=WAL");
            Execute(fsyncEveryCommit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");

            // A fold rewrites pages all over the tables; a larger page cache keeps the interior pages and recently
            // touched leaves in memory between folds instead of re-reading them from the file.
            Execute($"PRAGMA cache_size=-{CacheKib}");

            // A large fold grows the WAL file by every page it rewrites; once checkpointed, give the excess back.
            Execute("PRAGMA journal_size_limit=67108864");
            foreach (var sql in SqliteStatements.CreateTables())
            {
                Execute(sql);
            }

            Execute(SqliteStatements.CreateFoldState);

            for (var i = 0; i < ColumnFamilies; i++)
            {
                var cf = (ColumnFamily)i;
                _put[i] = new SqliteStatement(_connection, SqliteStatements.Put(cf));
                _delete[i] = new SqliteStatement(_connection, SqliteStatements.Delete(cf));
                _deleteRange[i] = new SqliteStatement(_connection, SqliteStatements.DeleteRange(cf, bounded: true));
                _deleteFrom[i] = new SqliteStatement(_connection, SqliteStatements.DeleteRange(cf, bounded: false));
            }

            _setFolded = new SqliteStatement(_connection, SqliteStatements.SetFoldedSequence);
            _begin = new SqliteStatement(_connection, "BEGIN IMMEDIATE");
            _commit = new SqliteStatement(_connection, "COMMIT");
            _rollback = new SqliteStatement(_connection, "ROLLBACK");
        }
        catch
        {
            // A database that cannot be opened (unreadable file, not a database) must not leave the handle open.
            Dispose();
            throw;
        }
    }

    public void Begin() => _begin.Execute();

    public void Commit() => _commit.Execute();

    public void Rollback() => _rollback.Execute();

    public void Put(ColumnFamily cf, byte[] key, byte[] value)
    {
        var statement = _put[(int)cf];
        statement.BindBlob(1, key);
        statement.BindBlob(2, value);
        statement.Execute();
    }

    public void Delete(ColumnFamily cf, byte[] key)
    {
        var statement = _delete[(int)cf];
        statement.BindBlob(1, key);
        statement.Execute();
    }

    /// <summary>Removes [start, end); an empty end is unbounded.</summary>
    public void DeleteRange(ColumnFamily cf, byte[] start, byte[] end)
    {
        SqliteStatement statement;
        if (end.Length == 0)
        {
            statement = _deleteFrom[(int)cf];
            statement.BindBlob(1, start);
        }
        else
        {
            statement = _deleteRange[(int)cf];
            statement.BindBlob(1, start);
            statement.BindBlob(2, end);
        }

        statement.Execute();
    }

    /// <summary>Records, in the current transaction, that the log is folded up to <paramref name="sequence"/>.</summary>
    public void SetFoldedSequence(long sequence)
    {
        _setFolded.BindInt64(1, sequence);
        _setFolded.Execute();
    }

    /// <summary>The log sequence the main tables contain every operation up to (0 for a new database).</summary>
    public long FoldedSequence()
    {
        using var statement = new SqliteStatement(_connection, SqliteStatements.GetFoldedSequence);
        return statement.Step() ? statement.ColumnInt64(0) : 0;
    }

    public void Dispose()
    {
        // Null-tolerant: a constructor that failed half-way disposes what it had prepared.
        foreach (var statement in _put.Concat(_delete).Concat(_deleteRange).Concat(_deleteFrom))
        {
            statement?.Dispose();
        }

        _setFolded?.Dispose();
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
