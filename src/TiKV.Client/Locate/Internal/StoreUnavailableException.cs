namespace TiKV.Client.Locate.Internal;

/// <summary>Internal signal that a region's peer points at a store that cannot be resolved; the region is reloaded.</summary>
internal sealed class StoreUnavailableException : TiKVException
{
    public StoreUnavailableException(ulong storeId, string reason)
        : base($"Store {storeId} is unavailable: {reason}.", isRetryable: true)
    {
        StoreId = storeId;
    }

    public ulong StoreId { get; }
}
