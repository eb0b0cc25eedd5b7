namespace TiKV.DevCluster;

/// <summary>A store's state as PD would report it from its heartbeats.</summary>
public enum DevStoreState
{
    /// <summary>Running and serving on its port.</summary>
    Up,

    /// <summary>Stopped or killed less than <see cref="DevClusterOptions.StoreDownAfter"/> ago; its port refuses connections.</summary>
    Disconnected,

    /// <summary>Stopped or killed for at least <see cref="DevClusterOptions.StoreDownAfter"/>.</summary>
    Down,

    /// <summary>Being removed (<see cref="DevCluster.RemoveStoreAsync"/>): PD is moving its peers to other stores.</summary>
    Offline,

    /// <summary>Removed: it holds no peers, has shut down and cannot come back.</summary>
    Tombstone,
}
