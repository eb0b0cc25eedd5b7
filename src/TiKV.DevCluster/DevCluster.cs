using TiKV.DevCluster.Internal;
using TiKV.DevCluster.Internal.Regions;

namespace TiKV.DevCluster;

/// <summary>
/// An in-process TiKV cluster: one PD and <see cref="DevClusterOptions.StoreCount"/> TiKV stores, each on its own
/// gRPC port, speaking kvproto like the real servers (<c>pdpb.PD</c>, <c>tikvpb.Tikv</c>) including their error
/// paths. All peers of a region share one replicated state, so stopping or killing a store never loses an
/// acknowledged write; regions, leaders and epochs behave as TiKV's do. Tests can stop and restart stores and PD,
/// add and remove stores (PD moves peers with real conf changes), and inject faults through <see cref="Faults"/>.
/// </summary>
public sealed class DevCluster : IAsyncDisposable
{
    private readonly ClusterRuntime _runtime;

    private DevCluster(ClusterRuntime runtime)
    {
        _runtime = runtime;
        Faults = new DevFaults(runtime);
    }

    /// <summary>The cluster id PD reports (in every response header).</summary>
    public ulong ClusterId => _runtime.ClusterId;

    /// <summary>PD's gRPC address, <c>host:port</c> (unchanged across <see cref="RestartPdAsync"/>).</summary>
    public string PdAddress => _runtime.Pd.Address;

    /// <summary>Whether PD is serving (false between <see cref="StopPdAsync"/> and <see cref="RestartPdAsync"/>).</summary>
    public bool IsPdUp => _runtime.IsPdUp;

    /// <summary>The stores with their current state, by ascending id.</summary>
    public IReadOnlyList<DevStoreInfo> Stores =>
        [.. _runtime.Stores.Select(s => new DevStoreInfo(s.Id, s.Address, s.StatusAddress, _runtime.StateOf(s)))];

    /// <summary>Faults to inject into the stores and PD.</summary>
    public DevFaults Faults { get; }

    /// <summary>
    /// Whether PD or a store had to listen on another port than requested because the requested one was busy
    /// (see <see cref="PortFallbacks"/>).
    /// </summary>
    public bool AnyPortFellBack =>
        _runtime.PortFallbacks.Count > 0 || _runtime.Pd.PortFellBack || _runtime.Stores.Any(s => s.PortFellBack || s.StatusPortFellBack);

    /// <summary>
    /// The ports that were busy when the cluster started and the ports used instead: requested ports when started
    /// with <c>fallBackToFreePorts</c>, and ports a reopened durable cluster had saved from an earlier run that asked
    /// for ephemeral ones (another process may hold them now).
    /// </summary>
    public IReadOnlyList<DevPortFallback> PortFallbacks => _runtime.PortFallbacks;

    /// <summary>
    /// Starts a cluster; with <see cref="DevClusterOptions.DataDirectory"/> set, reopens the one stored there. A
    /// reopened cluster's stores listen on the ports they listened on before; where those were ephemeral ports that
    /// are busy now, they take free ones, as a fresh start would (see <see cref="PortFallbacks"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="IOException">A requested port is in use.</exception>
    public static Task<DevCluster> StartAsync(DevClusterOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, fallBackToFreePorts: false, cancellationToken);

    /// <summary>
    /// Starts a cluster; when <paramref name="fallBackToFreePorts"/> is set, a requested port that is busy is
    /// replaced by a free one (see <see cref="AnyPortFellBack"/>), as <c>tikvnet playground</c> does.
    /// </summary>
    public static async Task<DevCluster> StartAsync(DevClusterOptions? options, bool fallBackToFreePorts, CancellationToken cancellationToken = default)
    {
        var runtime = await ClusterRuntime.StartAsync(options ?? new DevClusterOptions(), fallBackToFreePorts, cancellationToken).ConfigureAwait(false);
        return new DevCluster(runtime);
    }

    /// <summary>All regions in key order, as PD knows them.</summary>
    public IReadOnlyList<DevRegionInfo> GetRegions() => [.. _runtime.Regions.All.Select(ToInfo)];

    /// <summary>
    /// Splits the region containing <paramref name="splitKey"/> at that key, which is given as PD stores region
    /// boundaries: memcomparable-encoded for transactional data, plain for raw data. Like TiKV (with
    /// <c>right-derive-when-split</c>), the part from the split key on keeps the original region id and the part
    /// before it becomes a new region; both get version + 1. Returns the region that now starts at
    /// <paramref name="splitKey"/> (unchanged if the key already was a boundary).
    /// </summary>
    /// <exception cref="ArgumentException">The split key is empty.</exception>
    /// <exception cref="InvalidOperationException">PD is down (it allocates the new region's ids).</exception>
    public Task<DevRegionInfo> SplitRegionAsync(ReadOnlyMemory<byte> splitKey, CancellationToken cancellationToken = default)
    {
        if (splitKey.IsEmpty)
        {
            throw new ArgumentException("A split key must not be empty.", nameof(splitKey));
        }

        cancellationToken.ThrowIfCancellationRequested();
        _runtime.RequirePd("a split");
        return Task.FromResult(ToInfo(_runtime.SplitAt(splitKey.ToArray())));
    }

    /// <summary>Moves the leadership of a region to its peer on <paramref name="toStoreId"/> (the epoch is unchanged).</summary>
    /// <exception cref="ArgumentException">No such region, or it has no peer on that store.</exception>
    /// <exception cref="InvalidOperationException">That store is down, Offline or Tombstone.</exception>
    public Task TransferLeaderAsync(ulong regionId, ulong toStoreId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _runtime.TransferLeader(regionId, toStoreId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops a store gracefully: in-flight calls finish, then its ports refuse connections. After
    /// <see cref="DevClusterOptions.ElectionTimeout"/> the regions it led elect leaders on live peers.
    /// </summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    public Task StopStoreAsync(ulong storeId, CancellationToken cancellationToken = default) =>
        _runtime.StopStoreAsync(storeId, abrupt: false, cancellationToken);

    /// <summary>Kills a store: connections are reset and in-flight calls fail at once; otherwise as <see cref="StopStoreAsync"/>.</summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    public Task KillStoreAsync(ulong storeId, CancellationToken cancellationToken = default) =>
        _runtime.StopStoreAsync(storeId, abrupt: true, cancellationToken);

    /// <summary>Restarts a stopped or killed store on the same ports; leaders rebalance onto it.</summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    /// <exception cref="InvalidOperationException">The store is Tombstone.</exception>
    /// <exception cref="IOException">Its port has been taken meanwhile.</exception>
    public Task RestartStoreAsync(ulong storeId, CancellationToken cancellationToken = default) =>
        _runtime.RestartStoreAsync(storeId, cancellationToken);

    /// <summary>
    /// Adds a store with a fresh id (on an ephemeral port, or the next one after the configured store ports): it
    /// registers with PD, which then balances peers (<see cref="DevClusterOptions.BalanceRegions"/>) and leaders onto it
    /// in the background; <see cref="BalanceAsync"/> does it at once. Every move is a real conf change: the region's
    /// conf_ver advances and the new peer gets a new id.
    /// </summary>
    /// <exception cref="InvalidOperationException">PD is down.</exception>
    public async Task<DevStoreInfo> AddStoreAsync(CancellationToken cancellationToken = default)
    {
        var store = await _runtime.AddStoreAsync(cancellationToken).ConfigureAwait(false);
        return new DevStoreInfo(store.Id, store.Address, store.StatusAddress, _runtime.StateOf(store));
    }

    /// <summary>
    /// Removes a store as PD's <c>store delete</c> does: it turns Offline at once, PD moves its peers to the other
    /// stores (leaders first move off it; each move bumps the region's conf_ver and creates a peer with a new id), and
    /// when it holds no peer it turns Tombstone and shuts down: its port refuses connections, PD reports it Tombstone,
    /// and it cannot restart. The task completes when the store is Tombstone; the store is Offline as soon as the
    /// method returns, even if the task is not awaited.
    /// </summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    /// <exception cref="InvalidOperationException">
    /// PD is down, or fewer than three stores (the replica count) would be left.
    /// </exception>
    public Task RemoveStoreAsync(ulong storeId, CancellationToken cancellationToken = default) =>
        _runtime.RemoveStoreAsync(storeId, cancellationToken);

    /// <summary>
    /// Runs PD's schedulers to completion now: moves every peer off Offline stores, balances peers across stores (when
    /// <see cref="DevClusterOptions.BalanceRegions"/> is set) and leaders (when <see cref="DevClusterOptions.BalanceLeaders"/>
    /// is set), and retires emptied Offline stores.
    /// </summary>
    /// <exception cref="InvalidOperationException">PD is down.</exception>
    public Task BalanceAsync(CancellationToken cancellationToken = default) => _runtime.Scheduler.RunToCompletionAsync(cancellationToken);

    /// <summary>
    /// Stops PD: open TSO streams end and its port refuses connections. The stores keep serving requests for the
    /// regions clients have cached (raft elections go on without PD); what needs PD — region lookups, timestamps,
    /// splits, PD's scheduling — waits for <see cref="RestartPdAsync"/>.
    /// </summary>
    public Task StopPdAsync(CancellationToken cancellationToken = default) => _runtime.StopPdAsync(cancellationToken);

    /// <summary>
    /// Restarts PD on the same port with all its state: cluster id, ids, regions, stores, safe points. Timestamps
    /// continue strictly above every timestamp handed out before, as PD resumes above its persisted TSO window.
    /// </summary>
    /// <exception cref="IOException">PD's port has been taken meanwhile.</exception>
    public Task RestartPdAsync(CancellationToken cancellationToken = default) => _runtime.RestartPdAsync(cancellationToken);

    /// <summary>Stops PD and every store and closes the data (flushing a durable cluster's metadata).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _runtime.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _runtime.DisposeAsync();

    internal ClusterRuntime Runtime => _runtime;

    private static DevRegionInfo ToInfo(RegionState region) => new(
        region.Id,
        region.StartKey,
        region.EndKey,
        region.Version,
        region.ConfVer,
        region.LeaderStoreId,
        [.. region.Peers.Select(p => p.StoreId)],
        [.. region.Peers.Select(p => p.PeerId)]);
}
