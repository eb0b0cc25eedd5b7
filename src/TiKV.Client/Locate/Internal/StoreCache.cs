using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// Store id → address, resolved through PD's GetStore and cached. An entry is dropped on StoreNotMatch or
/// a connection failure so the next request re-resolves it (a store may come back on a new address).
/// Concurrent resolutions of one store share a PD call.
/// </summary>
internal sealed class StoreCache
{
    private readonly Dictionary<ulong, Store> _stores = [];
    private readonly Dictionary<ulong, Task<Store?>> _inflight = [];
    private readonly object _gate = new();
    private readonly IPdClient _pd;
    private readonly ILogger _logger;

    public StoreCache(IPdClient pd, ILogger logger)
    {
        _pd = pd;
        _logger = logger;
    }

    public bool TryGetAddress(ulong storeId, out string address)
    {
        lock (_gate)
        {
            if (_stores.TryGetValue(storeId, out var store))
            {
                address = store.Address;
                return true;
            }
        }

        address = string.Empty;
        return false;
    }

    public ValueTask<string> GetAddressAsync(ulong storeId, Backoffer backoffer, CancellationToken cancellationToken) =>
        TryGetAddress(storeId, out var address)
            ? new ValueTask<string>(address)
            : new ValueTask<string>(ResolveAsync(storeId, backoffer, cancellationToken));

    public void Invalidate(ulong storeId)
    {
        lock (_gate)
        {
            if (!_stores.Remove(storeId))
            {
                return;
            }
        }

        Log.StoreInvalidated(_logger, storeId);
    }

    private async Task<string> ResolveAsync(ulong storeId, Backoffer backoffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            Store? store;
            try
            {
                store = await ResolveSharedAsync(storeId).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TiKVException ex) when (ex.IsRetryable && ex is not BackoffExhaustedException)
            {
                await backoffer.BackoffAsync(BackoffKind.PdRpc, ex, null, storeId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (store is null || store.State == StoreState.Tombstone)
            {
                // A removed store: the region's peer list is stale. The caller reloads the region.
                throw new StoreUnavailableException(storeId, store is null ? "PD does not know the store" : "the store is a tombstone", removed: true);
            }

            if (string.IsNullOrEmpty(store.Address))
            {
                throw new StoreUnavailableException(storeId, "PD reports no address for the store");
            }

            lock (_gate)
            {
                _stores[storeId] = store;
            }

            return store.Address;
        }
    }

    private Task<Store?> ResolveSharedAsync(ulong storeId)
    {
        lock (_gate)
        {
            if (_inflight.TryGetValue(storeId, out var existing))
            {
                return existing;
            }

            var task = _pd.GetStoreAsync(storeId, CancellationToken.None);
            if (!task.IsCompleted)
            {
                _inflight[storeId] = task;
                task.ContinueWith(
                    (_, state) =>
                    {
                        lock (_gate)
                        {
                            _inflight.Remove((ulong)state!);
                        }
                    },
                    storeId,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            return task;
        }
    }
}
