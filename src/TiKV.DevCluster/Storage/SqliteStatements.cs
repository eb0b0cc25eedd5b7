namespace TiKV.DevCluster.Storage;

/// <summary>SQL text of <see cref="SqliteStorageEngine"/>, one table per column family keyed by a BLOB.</summary>
internal static class SqliteStatements
{
    private static readonly string[] Tables = ["cf_default", "cf_lock", "cf_write"];

    public static string TableName(ColumnFamily cf) => Tables[(int)cf];

    public static IEnumerable<string> CreateTables()
    {
        foreach (var table in Tables)
        {
            // WITHOUT ROWID stores rows in the primary-key B-tree itself; BLOB comparison is memcmp, i.e. unsigned bytes.
            yield return $"CREATE TABLE IF NOT EXISTS {table} (k BLOB NOT NULL PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID";
        }
    }

    /// <summary>One row: the log sequence up to which the main tables hold every operation.</summary>
    public const string CreateFoldState = "CREATE TABLE IF NOT EXISTS fold_state (id INTEGER PRIMARY KEY CHECK (id = 0), folded_seq INTEGER NOT NULL)";

    public const string SetFoldedSequence = "INSERT OR REPLACE INTO fold_state (id, folded_seq) VALUES (0, $seq)";

    public const string GetFoldedSequence = "SELECT folded_seq FROM fold_state WHERE id = 0";

    public static string Get(ColumnFamily cf) => $"SELECT v FROM {TableName(cf)} WHERE k = $k";

    public static string Put(ColumnFamily cf) => $"INSERT OR REPLACE INTO {TableName(cf)} (k, v) VALUES ($k, $v)";

    public static string Delete(ColumnFamily cf) => $"DELETE FROM {TableName(cf)} WHERE k = $k";

    public static string DeleteRange(ColumnFamily cf, bool bounded) => bounded
        ? $"DELETE FROM {TableName(cf)} WHERE k >= $s AND k < $e"
        : $"DELETE FROM {TableName(cf)} WHERE k >= $s";

    public static string Scan(ColumnFamily cf, bool reverse, bool bounded)
    {
        var range = bounded ? "k >= $s AND k < $e" : "k >= $s";
        var order = reverse ? "DESC" : "ASC";
        return $"SELECT k, v FROM {TableName(cf)} WHERE {range} ORDER BY k {order} LIMIT $n";
    }

    public static string Estimate(ColumnFamily cf, bool bounded)
    {
        var range = bounded ? "k >= $s AND k < $e" : "k >= $s";
        return $"SELECT count(*), coalesce(sum(length(k) + length(v)), 0) FROM {TableName(cf)} WHERE {range}";
    }
}
