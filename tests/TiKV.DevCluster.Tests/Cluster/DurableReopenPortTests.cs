using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using TiKV.DevCluster.Tests.Infrastructure;

namespace TiKV.DevCluster.Tests.Cluster;

/// <summary>
/// A durable cluster reopened later listens on its saved ports, but a saved port that was ephemeral may belong to
/// another process by then: the store takes a free port, as a fresh start would, and the cluster reports it.
/// </summary>
public sealed class DurableReopenPortTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-devcluster-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Busy_saved_ephemeral_ports_fall_back_to_free_ones_and_are_reported()
    {
        IReadOnlyList<DevStoreInfo> before;
        await using (var t = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }))
        {
            await t.RawPutAsync(Rpc.Bytes("k"), Rpc.Bytes("v"));
            before = t.Cluster.Stores;
            Assert.Empty(t.Cluster.PortFallbacks);
        }

        var busyPort = PortOf(before[0].Address);
        var busyStatusPort = PortOf(before[1].StatusAddress);
        using var squatter = new TcpListener(IPAddress.Loopback, busyPort);
        squatter.Start();
        using var statusSquatter = new TcpListener(IPAddress.Loopback, busyStatusPort);
        statusSquatter.Start();

        await using (var t = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }))
        {
            var after = t.Cluster.Stores;
            Assert.NotEqual(busyPort, PortOf(after[0].Address));
            Assert.NotEqual(busyStatusPort, PortOf(after[1].StatusAddress));
            Assert.Equal(before[2].Address, after[2].Address);
            Assert.True(t.Cluster.AnyPortFellBack);
            Assert.Contains(new DevPortFallback($"store {before[0].Id}", busyPort, PortOf(after[0].Address)), t.Cluster.PortFallbacks);
            Assert.Contains(new DevPortFallback($"store {before[1].Id} status", busyStatusPort, PortOf(after[1].StatusAddress)), t.Cluster.PortFallbacks);
            Assert.Equal(2, t.Cluster.PortFallbacks.Count);
            Assert.Equal(Rpc.Bytes("v"), await t.RawGetAsync(Rpc.Bytes("k")));
        }

        // The new ports are saved and the request stays ephemeral: reopened again with the squatters still there,
        // no store goes back to a squatted port.
        await using (var t = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }))
        {
            Assert.DoesNotContain(t.Cluster.Stores, s => PortOf(s.Address) == busyPort || PortOf(s.StatusAddress) == busyStatusPort);
            Assert.Empty(t.Cluster.PortFallbacks);
        }
    }

    [Fact]
    public async Task A_busy_saved_port_that_was_asked_for_explicitly_still_fails_without_fallback()
    {
        IReadOnlyList<DevStoreInfo> before;
        await using (var t = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }))
        {
            before = t.Cluster.Stores;
        }

        // As if the cluster had asked for its ports: rewrite the saved requests to the ports it got.
        var file = Path.Combine(_directory, "cluster.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        foreach (var store in json["stores"]!.AsArray())
        {
            store!["requestedPort"] = store["port"]!.GetValue<int>();
            store["requestedStatusPort"] = store["statusPort"]!.GetValue<int>();
        }

        await File.WriteAllTextAsync(file, json.ToJsonString());
        using var squatter = new TcpListener(IPAddress.Loopback, PortOf(before[0].Address));
        squatter.Start();

        await Assert.ThrowsAnyAsync<IOException>(() => DevCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }));

        // Asked to fall back (as tikvnet playground does), it takes a free port and reports it.
        await using var cluster = await DevCluster.StartAsync(new DevClusterOptions { DataDirectory = _directory }, fallBackToFreePorts: true);
        var fallback = Assert.Single(cluster.PortFallbacks);
        Assert.Equal($"store {before[0].Id}", fallback.Endpoint);
        Assert.Equal(PortOf(before[0].Address), fallback.RequestedPort);
    }

    private static int PortOf(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..]);
}
