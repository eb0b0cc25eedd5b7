namespace TiKV.DevCluster;

/// <summary>A store of a <see cref="DevCluster"/>.</summary>
/// <param name="Id">The store id, as PD reports it.</param>
/// <param name="Address">The gRPC address <c>host:port</c> (<c>tikvpb.Tikv</c>).</param>
/// <param name="StatusAddress">The HTTP status address <c>host:port</c>.</param>
/// <param name="State">The state at the time the info was taken.</param>
public sealed record DevStoreInfo(ulong Id, string Address, string StatusAddress, DevStoreState State);
