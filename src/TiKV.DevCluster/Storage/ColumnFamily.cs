namespace TiKV.DevCluster.Storage;

/// <summary>
/// The column families TiKV keeps per key space: "default" holds large values, "lock" holds Percolator
/// locks and "write" holds commit/rollback records. Raw mode uses only <see cref="Default"/>.
/// </summary>
internal enum ColumnFamily
{
    /// <summary>TiKV's "default" CF.</summary>
    Default = 0,

    /// <summary>TiKV's "lock" CF.</summary>
    Lock = 1,

    /// <summary>TiKV's "write" CF.</summary>
    Write = 2,
}
