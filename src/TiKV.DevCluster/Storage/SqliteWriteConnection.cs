using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>The single writing connection of <see cref="SqliteStorageEngine"/> with its prepared statements.</summary>
internal sealed class SqliteWriteConnection : IDisposable
{
    private const int ColumnFamilies = 3;

    private readonly SqliteConnection _connection;
    private readonly SqliteStatement[] _put = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _delete = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _deleteRange = new SqliteStatement[ColumnFamilies];
    private readonly SqliteStatement[] _deleteFrom = new SqliteStatement[ColumnFamilies];
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
            foreach (var sql in SqliteStatements.CreateTables())
            {
                Execute(sql);
            }

            for (var i = 0; i < ColumnFamilies; i++)
            {
                var cf = (ColumnFamily)i;
                _put[i] = new SqliteStatement(_connection, SqliteStatements.Put(cf));
                _delete[i] = new SqliteStatement(_connection, SqliteStatements.Delete(cf));
                _deleteRange[i] = new SqliteStatement(_connection, SqliteStatements.DeleteRange(cf, bounded: true));
                _deleteFrom[i] = new SqliteStatement(_connection, SqliteStatements.DeleteRange(cf, bounded: false));
            }

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

    public void Apply(WriteBatch batch)
    {
        var operations = batch.Operations;
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var cf = (int)op.Cf;
            SqliteStatement statement;
            switch (op.Kind)
            {
                case WriteOperationKind.Put:
                    statement = _put[cf];
                    statement.BindBlob(1, op.Key);
                    statement.BindBlob(2, op.Value);
                    break;
                case WriteOperationKind.Delete:
                    statement = _delete[cf];
                    statement.BindBlob(1, op.Key);
                    break;
                case WriteOperationKind.DeleteRange when op.End.Length == 0:
                    statement = _deleteFrom[cf];
                    statement.BindBlob(1, op.Key);
                    break;
                default:
                    statement = _deleteRange[cf];
                    statement.BindBlob(1, op.Key);
                    statement.BindBlob(2, op.End);
                    break;
            }

            statement.Execute();
        }
    }

    public void Dispose()
    {
        // Null-tolerant: a constructor that failed half-way disposes what it had prepared.
        foreach (var statement in _put.Concat(_delete).Concat(_deleteRange).Concat(_deleteFrom))
        {
            statement?.Dispose();
        }

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
