using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>A pooled read-only connection of <see cref="SqliteStorageEngine"/> with its prepared statements.</summary>
internal sealed class SqliteReadConnection : IDisposable
{
    private const int ColumnFamilies = 3;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand?[] _get = new SqliteCommand?[ColumnFamilies];

    // Indexed by cf * 4 + (reverse ? 2 : 0) + (bounded ? 1 : 0).
    private readonly SqliteCommand?[] _scan = new SqliteCommand?[ColumnFamilies * 4];

    public SqliteReadConnection(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
    }

    public byte[]? Get(ColumnFamily cf, byte[] key)
    {
        var command = _get[(int)cf] ??= Prepare(SqliteStatements.Get(cf), "$k");
        command.Parameters[0].Value = key;
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetFieldValue<byte[]>(0) : null;
    }

    public void ScanChunk(ColumnFamily cf, bool reverse, byte[] start, byte[]? end, int limit, List<KeyValuePair<byte[], byte[]>> into)
    {
        var bounded = end is not null;
        var slot = ((int)cf * 4) + (reverse ? 2 : 0) + (bounded ? 1 : 0);
        var command = _scan[slot] ??= bounded
            ? Prepare(SqliteStatements.Scan(cf, reverse, bounded: true), "$s", "$e", "$n")
            : Prepare(SqliteStatements.Scan(cf, reverse, bounded: false), "$s", "$n");
        command.Parameters[0].Value = start;
        if (bounded)
        {
            command.Parameters[1].Value = end;
            command.Parameters[2].Value = limit;
        }
        else
        {
            command.Parameters[1].Value = limit;
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            into.Add(new KeyValuePair<byte[], byte[]>(reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<byte[]>(1)));
        }
    }

    public StorageRangeStats Estimate(ColumnFamily cf, byte[] start, byte[]? end)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = SqliteStatements.Estimate(cf, end is not null);
        command.Parameters.AddWithValue("$s", start);
        if (end is not null)
        {
            command.Parameters.AddWithValue("$e", end);
        }

        using var reader = command.ExecuteReader();
        reader.Read();
        return new StorageRangeStats(reader.GetInt64(0), reader.GetInt64(1));
    }

    public void Dispose()
    {
        foreach (var command in _get)
        {
            command?.Dispose();
        }

        foreach (var command in _scan)
        {
            command?.Dispose();
        }

        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, name == "$n" ? SqliteType.Integer : SqliteType.Blob));
        }

        command.Prepare();
        return command;
    }
}
