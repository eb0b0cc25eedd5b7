namespace TiKV.DevCluster;

/// <summary>
/// A port that was busy when the cluster started, and the port used instead: a requested port when the cluster was
/// started with <c>fallBackToFreePorts</c>, or a port a durable cluster saved from an earlier run that had asked for
/// an ephemeral one.
/// </summary>
/// <param name="Endpoint">What listens on it: <c>PD</c>, <c>store 1</c>, <c>store 1 status</c>.</param>
/// <param name="RequestedPort">The port that was busy.</param>
/// <param name="Port">The port listened on instead.</param>
public sealed record DevPortFallback(string Endpoint, int RequestedPort, int Port);
