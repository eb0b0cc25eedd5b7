namespace TiKV.DevCluster.Storage;

/// <summary>Options of <see cref="SqliteStorageEngine"/>.</summary>
internal sealed class SqliteStorageOptions
{
    /// <summary>
    /// Whether every group commit is fsynced (SQLite synchronous=FULL): acknowledged writes then survive power
    /// loss too. Off by default (synchronous=NORMAL with WAL): an acknowledged write is in the WAL file through the
    /// operating system, so it survives the process being killed at any instant, at several times the throughput.
    /// </summary>
    public bool FsyncEveryCommit { get; init; }

    /// <summary>Largest number of queued batches applied in one transaction. Default 4096.</summary>
    public int MaxBatchesPerCommit { get; init; } = 4096;
}
