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

    /// <summary>
    /// Size (approximate memory, in bytes) at which the memtable of logged writes is frozen and folded into the
    /// main tables in one sorted transaction. Larger folds touch each table page for more keys but keep more objects alive
    /// for the garbage collector to trace. Default 4 MiB.
    /// </summary>
    public long MemtableFoldBytes { get; init; } = 4L << 20;

    /// <summary>
    /// Size the memtable may reach while the previous one is still being folded; beyond it, writes wait for that
    /// fold (backpressure), which bounds the memory held. A memtable that grew while a fold ran is folded whole next,
    /// so folds grow when they fall behind. At least <see cref="MemtableFoldBytes"/>. Default 16 MiB.
    /// </summary>
    public long MaxMemtableBytes { get; init; } = 16L << 20;
}
