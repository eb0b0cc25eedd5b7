using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

/// <summary>
/// The engine contract with a memtable so small that nearly every group commit freezes it and the fold runs all
/// the time, with backpressure: reads meet frozen layers, folds and fresh main-table state at every step.
/// </summary>
public sealed class SqliteFoldingStorageEngineTests : StorageEngineContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-sqlite-fold-" + Guid.NewGuid().ToString("N"));

    private protected override Task<IStorageEngine> CreateEngineAsync()
        => Task.FromResult<IStorageEngine>(SqliteStorageEngine.Open(_directory, new SqliteStorageOptions { MemtableFoldBytes = 256, MaxMemtableBytes = 1024, MaxBatchesPerCommit = 4 }));

    private protected override Task CleanupAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
