using Microsoft.Extensions.Logging;

namespace TiKV.DevCluster;

/// <summary>
/// Settings of a <see cref="DevCluster"/>. Every property documents its default; the cluster reads them once at
/// start and ignores later changes.
/// </summary>
public sealed class DevClusterOptions
{
    /// <summary>Number of TiKV stores. Default 3. Each region has one peer on up to three stores.</summary>
    public int StoreCount { get; set; } = 3;

    /// <summary>Address every endpoint binds to and advertises. Default <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>PD's gRPC port. Default 0: an ephemeral port chosen by the OS.</summary>
    public int PdPort { get; set; }

    /// <summary>
    /// gRPC port of the first store; store <c>i</c> (0-based) uses <c>StorePortBase + i</c>. Default 0: every store
    /// gets an ephemeral port.
    /// </summary>
    public int StorePortBase { get; set; }

    /// <summary>
    /// HTTP status port of the first store (<c>/status</c>, <c>/metrics</c>); store <c>i</c> uses
    /// <c>StatusPortBase + i</c>. Default 0: ephemeral ports.
    /// </summary>
    public int StatusPortBase { get; set; }

    /// <summary>
    /// Directory for a durable cluster: data, cluster id, stores, regions and safe points survive a restart of the
    /// process (and a crash, for every acknowledged write). Default null: everything lives in memory.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// A region whose data passes this many bytes is split at its middle key. Default 96 MiB, TiKV's
    /// <c>region-split-size</c>. Tests set it small to exercise splits.
    /// </summary>
    public long RegionSplitSizeBytes { get; set; } = 96L * 1024 * 1024;

    /// <summary>
    /// A region holding more than this many entries is split at its middle key. Default 960 000, TiKV's
    /// <c>region-split-keys</c>.
    /// </summary>
    public long RegionSplitKeys { get; set; } = 960_000;

    /// <summary>
    /// How long the followers of a region wait after its leader's store goes down before electing a new leader
    /// among live peers. Default 1 s. (TiKV elects after <c>raft-election-timeout-ticks</c> × <c>raft-base-tick-interval</c>,
    /// 10 s by default; a shorter default keeps failover tests quick.)
    /// </summary>
    public TimeSpan ElectionTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a store must be unreachable before PD reports it Down rather than Disconnected. Default 30 minutes,
    /// PD's <c>max-store-down-time</c>.
    /// </summary>
    public TimeSpan StoreDownAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Whether leaders are spread evenly over live stores after splits and when a store comes back, as PD's
    /// balance-leader scheduler does. Default true.
    /// </summary>
    public bool BalanceLeaders { get; set; } = true;

    /// <summary>
    /// Whether PD's balance-region scheduler moves peers from the stores holding the most regions to those holding
    /// the fewest (a store added with <see cref="DevCluster.AddStoreAsync"/>, or the stores beyond the first three),
    /// one region at a time in the background. Default true. Off, peers move only for a removed store or on
    /// <see cref="DevCluster.BalanceAsync"/>.
    /// </summary>
    public bool BalanceRegions { get; set; } = true;

    /// <summary>Logger factory for the cluster's own logs. Default null: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Clock for timestamps, TTLs, elections and store states. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
