using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>A pooled read-only connection of <see cref="SqliteStorageEngine"/> with its prepared statements.</summary>
internal sealed class SqliteReadConnection : IDisposable
{
    private const int ColumnFamilies = 3;

    private readonly SqliteConnection _connection;
    private readonly SqliteStatement?[] _get = new SqliteStatement?[ColumnFamilies];

    // Indexed by cf * 4 + (reverse ? 2 : 0) + (bounded ? 1 : 0).
    private readonly SqliteStatement?[] _scan = new SqliteStatement?[ColumnFamilies * 4];

    public SqliteReadConnection(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            SqliteStatement.SetBusyTimeout(_connection);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public byte[]? Get(ColumnFamily cf, ReadOnlySpan<byte> key)
    {
        var statement = _get[(int)cf] ??= new SqliteStatement(_connection, SqliteStatements.Get(cf));
        try
        {
            statement.BindBlob(1, key);
            return statement.Step() ? statement.ColumnBlob(0) : null;
        }
        finally
        {
            statement.Reset();
        }
    }

    public void ScanChunk(ColumnFamily cf, bool reverse, ReadOnlySpan<byte> start, byte[]? end, int limit, List<KeyValuePair<byte[], byte[]>> into)
    {
        var bounded = end is not null;
        var slot = ((int)cf * 4) + (reverse ? 2 : 0) + (bounded ? 1 : 0);
        var statement = _scan[slot] ??= new SqliteStatement(_connection, SqliteStatements.Scan(cf, reverse, bounded));
        try
        {
            statement.BindBlob(1, start);
            if (bounded)
            {
                statement.BindBlob(2, end);
                statement.BindInt64(3, limit);
            }
            else
            {
                statement.BindInt64(2, limit);
            }

            while (statement.Step())
            {
                into.Add(new KeyValuePair<byte[], byte[]>(statement.ColumnBlob(0), statement.ColumnBlob(1)));
            }
        }
        finally
        {
            statement.Reset();
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
        foreach (var statement in _get)
        {
            statement?.Dispose();
        }

        foreach (var statement in _scan)
        {
            statement?.Dispose();
        }

        _connection.Dispose();
    }
}
