using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// A prepared statement driven through SQLite's C API directly. The engine runs a few tiny statements at very
/// high rates, where ADO.NET's per-call reader and parameter objects would cost more than SQLite itself.
/// One statement belongs to one connection and is used by one thread at a time.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>
    /// How long SQLite itself retries a statement that finds the database locked (SQLITE_BUSY) before failing it.
    /// ADO.NET commands retry BUSY on their own; statements stepped through the C API need SQLite's busy handler.
    /// Locks here are brief (a WAL reader meeting the writer's checkpoint, or another process such as a backup
    /// holding a write transaction), so a few seconds of patience turns them into latency instead of errors.
    /// </summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Installs SQLite's busy handler with <see cref="BusyTimeout"/> on an open connection.</summary>
    public static void SetBusyTimeout(SqliteConnection connection)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_busy_timeout(db, (int)BusyTimeout.TotalMilliseconds);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);
        }
    }

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds a blob (1-based index); an empty span binds an empty blob, not NULL.</summary>
    public void BindBlob(int index, ReadOnlySpan<byte> value)
        => Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(_statement, index, 0) : raw.sqlite3_bind_blob(_statement, index, value));

    public void BindInt64(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Advances; true while a row is available.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }

        var error = Error(rc);
        raw.sqlite3_reset(_statement);
        throw error;
    }

    /// <summary>Runs a statement that returns no rows, then resets it.</summary>
    public void Execute()
    {
        try
        {
            while (Step())
            {
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public byte[] ColumnBlob(int index) => raw.sqlite3_column_blob(_statement, index).ToArray();

    public long ColumnInt64(int index) => raw.sqlite3_column_int64(_statement, index);

    /// <summary>Makes the statement ready to run again (bindings are kept until rebound).</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }

    private SqliteException Error(int rc) => new($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
}
