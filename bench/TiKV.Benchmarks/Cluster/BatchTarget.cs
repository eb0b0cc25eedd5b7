namespace TiKV.Benchmarks.Cluster;

/// <summary>Where the BatchCommands load goes.</summary>
public enum BatchTarget
{
    /// <summary>A store of a started DevCluster.</summary>
    DevCluster,

    /// <summary>The storage-less server that only builds answers.</summary>
    Null,
}
