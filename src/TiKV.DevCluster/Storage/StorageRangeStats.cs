namespace TiKV.DevCluster.Storage;

/// <summary>Approximate size of a key range across all column families, used to decide region splits.</summary>
/// <param name="Keys">Approximate number of entries.</param>
/// <param name="Bytes">Approximate number of key and value bytes.</param>
internal readonly record struct StorageRangeStats(long Keys, long Bytes);
