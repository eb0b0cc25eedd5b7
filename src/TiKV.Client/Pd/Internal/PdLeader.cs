using TiKV.Grpc;

namespace TiKV.Client.Pd.Internal;

/// <summary>The PD member currently believed to be the leader and the channel to it.</summary>
internal sealed record PdLeader(string Target, GrpcChannel Channel, long Generation);
