namespace TiKV.DevCluster.Internal.Persistence;

/// <summary>
/// What PD keeps in etcd for a durable cluster: the cluster id, the id allocator, the TSO window, the stores,
/// the regions and the GC safe points.
/// </summary>
internal sealed class ClusterMetadata
{
    /// <summary>Format version of this file.</summary>
    public int FormatVersion { get; set; } = 1;

    /// <summary>The cluster id.</summary>
    public ulong ClusterId { get; set; }

    /// <summary>The highest id the allocator may have handed out.</summary>
    public ulong LastId { get; set; }

    /// <summary>Upper bound of physical TSO time handed out (Unix ms).</summary>
    public long TsoUpperBoundMs { get; set; }

    /// <summary>The GC safe point.</summary>
    public ulong GcSafePoint { get; set; }

    /// <summary>Service GC safe points.</summary>
    public List<ServiceSafePointRecord> ServiceSafePoints { get; set; } = [];

    /// <summary>Stores.</summary>
    public List<StoreRecord> Stores { get; set; } = [];

    /// <summary>Regions.</summary>
    public List<RegionRecord> Regions { get; set; } = [];
}

/// <summary>A persisted store.</summary>
internal sealed class StoreRecord
{
    /// <summary>Store id.</summary>
    public ulong Id { get; set; }

    /// <summary>The gRPC port it last listened on.</summary>
    public int Port { get; set; }

    /// <summary>The status port it last listened on.</summary>
    public int StatusPort { get; set; }

    /// <summary>
    /// The gRPC port the cluster asked for (0 = ephemeral; absent in files written before it was kept, read as 0). A
    /// reopened cluster prefers <see cref="Port"/> but takes a free port when an ephemeral one has been taken since.
    /// </summary>
    public int? RequestedPort { get; set; }

    /// <summary>The status port the cluster asked for (0 = ephemeral), as <see cref="RequestedPort"/>.</summary>
    public int? RequestedStatusPort { get; set; }

    /// <summary>PD's state of the store (metapb.StoreState: 0 Up, 1 Offline, 2 Tombstone).</summary>
    public int State { get; set; }
}

/// <summary>A persisted region.</summary>
internal sealed class RegionRecord
{
    /// <summary>Region id.</summary>
    public ulong Id { get; set; }

    /// <summary>Start key.</summary>
    public byte[] StartKey { get; set; } = [];

    /// <summary>End key.</summary>
    public byte[] EndKey { get; set; } = [];

    /// <summary>conf_ver.</summary>
    public ulong ConfVer { get; set; }

    /// <summary>version.</summary>
    public ulong Version { get; set; }

    /// <summary>Peer ids.</summary>
    public List<ulong> PeerIds { get; set; } = [];

    /// <summary>Peer store ids, same order as <see cref="PeerIds"/>.</summary>
    public List<ulong> PeerStoreIds { get; set; } = [];

    /// <summary>Leader store (0 = none).</summary>
    public ulong LeaderStoreId { get; set; }

    /// <summary>Raft term.</summary>
    public ulong Term { get; set; }
}

/// <summary>A persisted service safe point.</summary>
internal sealed class ServiceSafePointRecord
{
    /// <summary>Service id.</summary>
    public string ServiceId { get; set; } = "";

    /// <summary>Expiry, Unix seconds.</summary>
    public long ExpiredAt { get; set; }

    /// <summary>Safe point.</summary>
    public ulong SafePoint { get; set; }
}
