using System.Globalization;
using System.Text.Json;
using TiKV.DevCluster.Internal.Store;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Internal;

/// <summary>Store lifecycle: start, stop, kill, restart, and what PD and the status port report about stores.</summary>
internal sealed partial class ClusterRuntime
{
    /// <summary>The state PD would report for <paramref name="store"/>.</summary>
    public DevStoreState StateOf(StoreNode store)
    {
        // PD names a removed or removing store by its metadata state, whatever its heartbeat says.
        switch (store.MetaState)
        {
            case StoreState.Tombstone:
                return DevStoreState.Tombstone;
            case StoreState.Offline:
                return DevStoreState.Offline;
        }

        if (store.IsUp)
        {
            return DevStoreState.Up;
        }

        var downSince = store.DownSince ?? Time.GetUtcNow();
        return Time.GetUtcNow() - downSince >= Options.StoreDownAfter ? DevStoreState.Down : DevStoreState.Disconnected;
    }

    /// <summary>Stops a store gracefully or kills it; its regions elect new leaders after the election timeout.</summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    public async Task StopStoreAsync(ulong storeId, bool abrupt, CancellationToken cancellationToken)
    {
        var store = GetStore(storeId) ?? throw new ArgumentException($"Store {storeId} does not exist.", nameof(storeId));
        if (!store.IsUp)
        {
            return;
        }

        await store.StopAsync(abrupt, cancellationToken).ConfigureAwait(false);
        var downSince = store.DownSince;
        Background.Run(async shutdown =>
        {
            await Task.Delay(Options.ElectionTimeout, Time, shutdown).ConfigureAwait(false);
            if (!store.IsUp && store.DownSince == downSince)
            {
                ElectLeadersAwayFrom(storeId);
            }
        });
    }

    /// <summary>Starts a stopped store on its previous ports; leaderless regions elect and leaders rebalance.</summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    public async Task RestartStoreAsync(ulong storeId, CancellationToken cancellationToken)
    {
        var store = GetStore(storeId) ?? throw new ArgumentException($"Store {storeId} does not exist.", nameof(storeId));
        if (store.MetaState == StoreState.Tombstone)
        {
            // PD refuses a tombstone store's heartbeat and TiKV exits: a removed store cannot come back.
            throw new InvalidOperationException($"Store {storeId} is Tombstone: it has been removed from the cluster and cannot restart.");
        }

        await StartStoreCoreAsync(store, fallBack: false, cancellationToken).ConfigureAwait(false);
        OnStoreUp();
    }

    private Task StartStoreCoreAsync(StoreNode store, bool fallBack, CancellationToken cancellationToken)
    {
        var service = new TikvService(this, store);
        return store.StartAsync(service.Register, path => StatusResponse(store, path), ServerOptions, fallBack, cancellationToken);
    }

    private (int Status, string ContentType, string Body) StatusResponse(StoreNode store, string path)
    {
        if (path.StartsWith('!'))
        {
            return (405, "text/plain; charset=utf-8", "only GET is supported\n");
        }

        var regions = Regions.All;
        var regionCount = regions.Count(r => r.PeerOn(store.Id) is not null);
        var leaderCount = regions.Count(r => r.LeaderStoreId == store.Id);
        switch (path)
        {
            case "/status":
                var status = new Dictionary<string, object>
                {
                    ["cluster_id"] = ClusterId,
                    ["store_id"] = store.Id,
                    ["address"] = store.Address,
                    ["status_address"] = store.StatusAddress,
                    ["state"] = StateOf(store).ToString(),
                    ["start_timestamp"] = store.StartTimestamp,
                    ["region_count"] = regionCount,
                    ["leader_count"] = leaderCount,
                    ["version"] = StoreVersion,
                };
                return (200, "application/json", JsonSerializer.Serialize(status) + "\n");
            case "/metrics":
                return (200, "text/plain; version=0.0.4; charset=utf-8", store.Metrics.Render(store.Id, leaderCount, regionCount));
            default:
                return (404, "text/plain; charset=utf-8", string.Create(CultureInfo.InvariantCulture, $"no such endpoint: {path}\n"));
        }
    }

    /// <summary>The TiKV version the stores report (a recent TiKV release the wire behaviour follows).</summary>
    public const string StoreVersion = "8.5.0";
}
