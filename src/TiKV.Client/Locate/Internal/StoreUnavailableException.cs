namespace TiKV.Client.Locate.Internal;

/// <summary>A store the client cannot send to: PD knows no address for it, or it left the cluster.</summary>
internal sealed class StoreUnavailableException : TiKVException
{
    public StoreUnavailableException(ulong storeId, string reason, bool removed = false)
        : base($"Store {storeId} is unavailable: {reason}.", isRetryable: true)
    {
        StoreId = storeId;
        Removed = removed;
    }

    public ulong StoreId { get; }

    /// <summary>
    /// The store left the cluster (PD reports it Tombstone, or no longer knows its id): the peer lists that
    /// point at it are stale, so the region has to be reloaded rather than the store retried.
    /// </summary>
    public bool Removed { get; }
}
