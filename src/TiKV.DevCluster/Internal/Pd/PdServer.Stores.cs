using TiKV.DevCluster.Internal.Store;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// Store metadata as PD reports it: metapb state Up (node state Serving), Offline (Removing) while its peers move
/// away, Tombstone (Removed) once removed. PD's Disconnected/Down are derived by clients and tools from
/// <c>last_heartbeat</c>, which stops advancing when a store goes down (live stores report the current time: they
/// heartbeat continuously).
/// </summary>
internal sealed partial class PdServer
{
    private GetStoreResponse GetStore(GetStoreRequest request)
    {
        if (_cluster.GetStore(request.StoreId) is not { } store)
        {
            return new GetStoreResponse { Header = ErrorHeader(ErrorType.Unknown, $"invalid store ID {request.StoreId}, not found") };
        }

        // PD answers for a tombstone store too, with its state: clients learn from it that the store is gone.
        return new GetStoreResponse { Header = Header(), Store = StoreMeta(store), Stats = StoreStats(store) };
    }

    private GetAllStoresResponse GetAllStores(GetAllStoresRequest request)
    {
        var response = new GetAllStoresResponse { Header = Header() };
        foreach (var store in _cluster.Stores)
        {
            if (request.ExcludeTombstoneStores && store.MetaState == StoreState.Tombstone)
            {
                continue;
            }

            response.Stores.Add(StoreMeta(store));
        }

        return response;
    }

    private PutStoreResponse PutStore(PutStoreRequest request)
    {
        var id = request.Store?.Id ?? 0;
        if (_cluster.GetStore(id) is not { } store)
        {
            return new PutStoreResponse { Header = ErrorHeader(ErrorType.Unknown, $"store {id} is not a member of this cluster") };
        }

        if (store.MetaState == StoreState.Tombstone)
        {
            return new PutStoreResponse { Header = ErrorHeader(ErrorType.StoreTombstone, TombstoneMessage(id)) };
        }

        if (request.Store!.Address.Length != 0 && request.Store.Address != store.Address)
        {
            return new PutStoreResponse
            {
                Header = ErrorHeader(ErrorType.Unknown, $"duplicated store address: {request.Store.Address}, already registered by id: {store.Id}"),
            };
        }

        return new PutStoreResponse { Header = Header() };
    }

    private StoreHeartbeatResponse StoreHeartbeat(StoreHeartbeatRequest request)
    {
        var id = request.Stats?.StoreId ?? 0;
        return _cluster.GetStore(id) switch
        {
            null => new StoreHeartbeatResponse { Header = ErrorHeader(ErrorType.Unknown, $"store {id} not found") },

            // PD's checkStore: a removed store's heartbeat is refused, which makes TiKV shut down.
            { MetaState: StoreState.Tombstone } => new StoreHeartbeatResponse { Header = ErrorHeader(ErrorType.StoreTombstone, TombstoneMessage(id)) },
            var store => new StoreHeartbeatResponse { Header = Header(), ClusterVersion = ClusterRuntime.StoreVersion, State = NodeStateOf(store) },
        };
    }

    private static string TombstoneMessage(ulong storeId) => $"[PD:core:ErrStoreTombstone]store {storeId} has been removed";

    /// <summary>metapb's node state alongside the store state: Serving, Removing while Offline, Removed once Tombstone.</summary>
    private static NodeState NodeStateOf(StoreNode store) => store.MetaState switch
    {
        StoreState.Offline => NodeState.Removing,
        StoreState.Tombstone => NodeState.Removed,
        _ => NodeState.Serving,
    };

    private TiKV.Proto.Metapb.Store StoreMeta(StoreNode store)
    {
        var lastHeartbeat = store.IsUp ? _cluster.Time.GetUtcNow() : store.DownSince ?? _cluster.Time.GetUtcNow();
        return new TiKV.Proto.Metapb.Store
        {
            Id = store.Id,
            Address = store.Address,
            PeerAddress = store.Address,
            StatusAddress = store.StatusAddress,
            State = store.MetaState,
            NodeState = NodeStateOf(store),
            Version = ClusterRuntime.StoreVersion,
            StartTimestamp = store.StartTimestamp,
            LastHeartbeat = (lastHeartbeat - DateTimeOffset.UnixEpoch).Ticks * 100,
        };
    }

    private StoreStats StoreStats(StoreNode store)
    {
        var regions = _cluster.Regions.All;
        return new StoreStats
        {
            StoreId = store.Id,
            RegionCount = (uint)regions.Count(r => r.PeerOn(store.Id) is not null),
            StartTime = (uint)store.StartTimestamp,
            IsBusy = false,
        };
    }
}
