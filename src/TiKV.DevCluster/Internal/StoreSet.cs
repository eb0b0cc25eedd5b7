using System.Collections.Immutable;
using TiKV.DevCluster.Internal.Store;

namespace TiKV.DevCluster.Internal;

/// <summary>The cluster's stores at one moment: by ascending id, and by id. Replaced as a whole when a store joins.</summary>
/// <param name="Sorted">The stores by ascending id.</param>
/// <param name="ById">The same stores by id.</param>
internal sealed record StoreSet(ImmutableArray<StoreNode> Sorted, ImmutableDictionary<ulong, StoreNode> ById);
