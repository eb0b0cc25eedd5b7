namespace TiKV.DevCluster.Storage;

/// <summary>What a memtable layer knows about one key.</summary>
internal enum DurableLookup
{
    /// <summary>The layer says nothing about the key: look in older layers.</summary>
    Unknown,

    /// <summary>The layer holds the key's latest value.</summary>
    Found,

    /// <summary>The layer deleted the key (a tombstone or a covering delete-range).</summary>
    Deleted,
}
