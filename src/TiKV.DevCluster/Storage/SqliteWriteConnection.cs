namespace TiKV.DevCluster.Storage;

/// <summary>
/// The single connection writing <see cref="SqliteStorageEngine"/>'s main tables, used by the fold, with its
/// prepared statements. The main database also records how far the write-ahead log has been folded into it.
/// </summary>
internal sealed class SqliteWriteConnection : IDisposable
{
    private const int ColumnFamilies = 3;
    private const int CacheKib = 32 * 1024;

    private readonly SqliteWalWriter _writer;
    private readonly SqliteStatement[] _put = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _delete = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _deleteRange = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _deleteFrom = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement _setFolded;

    public SqliteWriteConnection(string connectionString, bool fsyncEveryCommit)
    {
        _writer = new SqliteWalWriter(connectionString, fsyncEveryCommit);
        try
        {
            // A fold rewrites pages all over the tables; a larger page cache keeps the interior pages and recently
            // touched leaves in memory between folds instead of re-reading them from the file.
            _writer.Execute($"PRAGMA cache_size=-{CacheKib}");

            // A large fold grows the WAL file by every page it rewrites; once checkpointed, give the excess back.
            _writer.Execute("PRAGMA journal_size_limit=67108864");
            foreach (var sql in SqliteStatements.CreateTables())
            {
                _writer.Execute(sql);
            }

            _writer.Execute(SqliteStatements.CreateFoldState);

            for (var i = 0; i < ColumnFamilies; i++)
            {
                var cf = (ColumnFamily)i;
                _put[i] = new SqliteStatement(_writer.Connection, SqliteStatements.Put(cf));
                _delete[i] = new SqliteStatement(_writer.Connection, SqliteStatements.Delete(cf));
                _deleteRange[i] = new SqliteStatement(_writer.Connection, SqliteStatements.DeleteRange(cf, bounded: true));
                _deleteFrom[i] = new SqliteStatement(_writer.Connection, SqliteStatements.DeleteRange(cf, bounded: false));
            }

            _setFolded = new SqliteStatement(_writer.Connection, SqliteStatements.SetFoldedSequence);
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
        using var statement = new SqliteStatement(_writer.Connection, SqliteStatements.GetFoldedSequence);
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
        _writer.Dispose();
    }
}
