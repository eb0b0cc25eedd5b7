using TiKV.DevCluster.Internal.Store;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// Stores joining and leaving, as PD sees them: a new store registers and PD starts balancing regions onto it; a
/// removed store goes Offline, PD moves its peers to other stores, and once it holds none it becomes Tombstone.
/// </summary>
internal sealed partial class ClusterRuntime
{
    /// <summary>Starts a new store with a fresh id and adds it to the cluster; PD balances peers and leaders onto it.</summary>
    /// <exception cref="InvalidOperationException">PD is down (a store registers with PD).</exception>
    public async Task<StoreNode> AddStoreAsync(CancellationToken cancellationToken)
    {
        RequirePd("adding a store");
        var index = Stores.Count;
        var port = Options.StorePortBase == 0 ? 0 : Math.Min(65535, Options.StorePortBase + index);
        var statusPort = Options.StatusPortBase == 0 ? 0 : Math.Min(65535, Options.StatusPortBase + index);
        var store = new StoreNode(Ids.Next(), Options.Host, port, statusPort, Logger, Time);
        _requestedPorts[store.Id] = (port, statusPort);
        try
        {
            // The port after the initial stores may well be taken (by the status ports, say): fall back to a free one.
            await StartStoreCoreAsync(store, fallBack: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        lock (_storesGate)
        {
            var current = _stores;
            _stores = new StoreSet(current.Sorted.Add(store), new Dictionary<ulong, StoreNode>(current.ById) { [store.Id] = store });
        }

        SaveMetadata();
        Log.StoreStateChanged(Logger, store.Id, "Up (joined)");
        Scheduler.Wake();
        BalanceLeaders();
        return store;
    }

    /// <summary>
    /// PD's <c>RemoveStore</c>: the store goes Offline and PD moves its peers away; completes once it is Tombstone.
    /// Calling it again for an Offline store just waits.
    /// </summary>
    /// <exception cref="ArgumentException">No such store.</exception>
    /// <exception cref="InvalidOperationException">
    /// PD is down, or too few stores would remain to hold every region's replicas.
    /// </exception>
    public Task RemoveStoreAsync(ulong storeId, CancellationToken cancellationToken)
    {
        var store = GetStore(storeId) ?? throw new ArgumentException($"Store {storeId} does not exist.", nameof(storeId));
        if (store.MetaState == StoreState.Up)
        {
            RequirePd("removing a store");
            lock (_storesGate)
            {
                if (store.MetaState == StoreState.Up)
                {
                    // PD's checkReplicaBeforeOfflineStore: the stores left must still be able to hold max-replicas peers.
                    var remaining = Stores.Count(s => s.IsMember && s.Id != storeId);
                    if (remaining < MaxReplicas)
                    {
                        throw new InvalidOperationException(
                            $"can not remove store {storeId} since the number of up stores would be {remaining} while need {MaxReplicas}");
                    }

                    store.MetaState = StoreState.Offline;
                }
            }

            Log.StoreStateChanged(Logger, storeId, "Offline");
            SaveMetadata();
            Scheduler.Wake();
        }

        return Scheduler.WaitForTombstoneAsync(storeId, cancellationToken);
    }
}
