using Google.Protobuf;

namespace TiKV.DevCluster.Mvcc;

/// <summary>The key an edge of the wait-for graph is about, with its FarmHash fingerprint.</summary>
/// <param name="Hash">Fingerprint64 of the raw key.</param>
/// <param name="Key">The raw key.</param>
internal readonly record struct WaitForKey(ulong Hash, ByteString Key);
