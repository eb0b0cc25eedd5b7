using System.Collections.Immutable;
using TiKV.DevCluster.Internal.Store;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// The cluster's stores at one moment: by ascending id, and by id. Replaced as a whole when a store joins, never
/// changed once published, so readers need no lock.
/// </summary>
/// <param name="Sorted">The stores by ascending id.</param>
/// <param name="ById">The same stores by id.</param>
internal sealed record StoreSet(ImmutableArray<StoreNode> Sorted, IReadOnlyDictionary<ulong, StoreNode> ById);
