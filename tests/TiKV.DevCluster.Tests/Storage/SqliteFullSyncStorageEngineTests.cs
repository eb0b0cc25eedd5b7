using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

/// <summary>The engine contract with an fsync at every group commit.</summary>
public sealed class SqliteFullSyncStorageEngineTests : StorageEngineContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-sqlite-full-" + Guid.NewGuid().ToString("N"));

    private protected override Task<IStorageEngine> CreateEngineAsync()
        => Task.FromResult<IStorageEngine>(SqliteStorageEngine.Open(_directory, new SqliteStorageOptions { FsyncEveryCommit = true, MaxBatchesPerCommit = 3 }));

    private protected override Task CleanupAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
