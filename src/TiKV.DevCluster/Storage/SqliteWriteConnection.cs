using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>The single writing connection of <see cref="SqliteStorageEngine"/> with its prepared statements.</summary>
internal sealed class SqliteWriteConnection : IDisposable
{
    private const int ColumnFamilies = 3;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand[] _put = new SqliteCommand[ColumnFamilies];
    private readonly SqliteCommand[] _delete = new SqliteCommand[ColumnFamilies];
    private readonly SqliteCommand[] _deleteRange = new SqliteCommand[ColumnFamilies];
    private readonly SqliteCommand[] _deleteFrom = new SqliteCommand[ColumnFamilies];
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;

    public SqliteWriteConnection(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();

        // WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL at every commit, so an
        // acknowledged batch survives a killed process and a lost machine alike.
        Execute("PRAGMA journal_mode=WAL");
        Execute("PRAGMA synchronous=FULL");
        foreach (var sql in SqliteStatements.CreateTables())
        {
            Execute(sql);
        }

        for (var i = 0; i < ColumnFamilies; i++)
        {
            var cf = (ColumnFamily)i;
            _put[i] = Prepare(SqliteStatements.Put(cf), "$k", "$v");
            _delete[i] = Prepare(SqliteStatements.Delete(cf), "$k");
            _deleteRange[i] = Prepare(SqliteStatements.DeleteRange(cf, bounded: true), "$s", "$e");
            _deleteFrom[i] = Prepare(SqliteStatements.DeleteRange(cf, bounded: false), "$s");
        }

        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
    }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    public void Rollback() => _rollback.ExecuteNonQuery();

    public void Apply(WriteBatch batch)
    {
        var operations = batch.Operations;
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var cf = (int)op.Cf;

            SqliteCommand command;
            switch (op.Kind)
            {
                case WriteOperationKind.Put:
                    command = _put[cf];
                    command.Parameters[0].Value = op.Key;
                    command.Parameters[1].Value = op.Value;
                    break;
                case WriteOperationKind.Delete:
                    command = _delete[cf];
                    command.Parameters[0].Value = op.Key;
                    break;
                case WriteOperationKind.DeleteRange when op.End.Length == 0:
                    command = _deleteFrom[cf];
                    command.Parameters[0].Value = op.Key;
                    break;
                default:
                    command = _deleteRange[cf];
                    command.Parameters[0].Value = op.Key;
                    command.Parameters[1].Value = op.End;
                    break;
            }

            command.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        foreach (var command in _put.Concat(_delete).Concat(_deleteRange).Concat(_deleteFrom))
        {
            command.Dispose();
        }

        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, SqliteType.Blob));
        }

        command.Prepare();
        return command;
    }
}
