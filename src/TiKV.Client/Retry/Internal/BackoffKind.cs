namespace TiKV.Client.Retry.Internal;

/// <summary>The backoff kinds of client-go (retry/config.go), each with its own base, cap and attempt counter.</summary>
internal enum BackoffKind
{
    /// <summary>Region cache miss or stale epoch: 2 ms → 500 ms.</summary>
    RegionMiss,

    /// <summary>Region has no leader yet (election, transfer): 2 ms → 500 ms like regionMiss.</summary>
    RegionScheduling,

    /// <summary>PD unreachable or answering with an error: 500 ms → 3 s.</summary>
    PdRpc,

    /// <summary>Store transport failure: 100 ms → 2 s.</summary>
    TiKVRpc,

    /// <summary>Key locked by another transaction: 100 ms → 3 s.</summary>
    TxnLock,

    /// <summary>Store answered ServerIsBusy: 2 s → 10 s.</summary>
    ServerBusy,

    /// <summary>Store not ready (stale command, read index, max ts not synced...): 2 ms → 500 ms.</summary>
    StoreNotReady,

    /// <summary>A lock's primary has no lock or record yet (its prewrite is still in flight): 2 ms → 500 ms (client-go's txnNotFound).</summary>
    TxnNotFound,
}
