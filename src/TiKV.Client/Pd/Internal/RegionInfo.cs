using TiKV.Proto.Metapb;

namespace TiKV.Client.Pd.Internal;

/// <summary>A region as PD reports it: its metadata and, when PD knows it, the leader peer.</summary>
internal sealed record RegionInfo(Region Meta, Peer? Leader);
