using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// An open SQLite connection set up the way every writer of <see cref="SqliteStorageEngine"/>'s databases needs it
/// (the log and the main tables alike): busy timeout, WAL journal at the engine's sync level, and prepared
/// <c>BEGIN IMMEDIATE</c> / <c>COMMIT</c> / <c>ROLLBACK</c>.
/// </summary>
internal sealed class SqliteWalWriter : IDisposable
{
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _rollback;

    public SqliteWalWriter(string connectionString, bool fsyncEveryCommit)
    {
        Connection = new SqliteConnection(connectionString);
        try
        {
            Connection.Open();
            SqliteStatement.SetBusyTimeout(Connection);

            // WAL lets readers run beside the writer. Either way a commit has written the WAL file through the
            // operating system before it returns, so a killed process loses nothing acknowledged; FULL also fsyncs
            // each commit against losing the machine.
            Execute("PRAGMA journal_mode=WAL");
            Execute(fsyncEveryCommit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            _begin = new SqliteStatement(Connection, "BEGIN IMMEDIATE");
            _commit = new SqliteStatement(Connection, "COMMIT");
            _rollback = new SqliteStatement(Connection, "ROLLBACK");
        }
        catch
        {
            // A database that cannot be opened (unreadable file, not a database) must not leave the handle open.
            Dispose();
            throw;
        }
    }

    public SqliteConnection Connection { get; }

    public void Begin() => _begin.Execute();

    public void Commit() => _commit.Execute();

    public void Rollback() => _rollback.Execute();

    /// <summary>Runs one statement that returns no rows (schema, pragmas).</summary>
    public void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        // Null-tolerant: a constructor that failed half-way disposes what it had prepared.
        _begin?.Dispose();
        _commit?.Dispose();
        _rollback?.Dispose();
        Connection.Dispose();
    }
}
