using System.Net;
using System.Net.Sockets;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Cli;

public sealed class PlaygroundCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikvnet-playground-tests", Guid.NewGuid().ToString("N"));

    public PlaygroundCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<ulong> ClusterIdAsync(GrpcChannel pd) =>
        (await pd.UnaryAsync(Rpc.PdMethod<GetMembersRequest, GetMembersResponse>("GetMembers"), new GetMembersRequest(), Rpc.Short)).Header.ClusterId;

    private static async Task RawPutThroughPdAsync(GrpcChannel pd, ulong clusterId, string key, string value)
    {
        var header = new RequestHeader { ClusterId = clusterId };
        var region = await pd.UnaryAsync(Rpc.PdMethod<GetRegionRequest, GetRegionResponse>("GetRegion"), new GetRegionRequest { Header = header, RegionKey = Rpc.B(key) }, Rpc.Short);
        var store = await pd.UnaryAsync(Rpc.PdMethod<GetStoreRequest, GetStoreResponse>("GetStore"), new GetStoreRequest { Header = header, StoreId = region.Leader.StoreId }, Rpc.Short);
        await using var tikv = GrpcChannel.Create(store.Store.Address);
        var response = await tikv.UnaryAsync(Rpc.Kv<RawPutRequest, RawPutResponse>("RawPut"), new RawPutRequest
        {
            Context = TestCluster.ContextFor(region.Region, region.Leader),
            Key = Rpc.B(key),
            Value = Rpc.B(value),
        }, Rpc.Short);
        Assert.Null(response.RegionError);
    }

    [Fact]
    public async Task Playground_writes_the_ready_file_serves_and_stops_cleanly_on_sigterm()
    {
        var readyFile = Path.Combine(_directory, "ready.json");
        await using var playground = PlaygroundProcess.Start("--pd-port", "0", "--kv-port", "0", "--status-port", "0", "--ready-file", readyFile);
        using var ready = await playground.WaitForReadyFileAsync(readyFile);
        var pdAddress = ready.RootElement.GetProperty("pd")[0].GetString()!;
        var stores = ready.RootElement.GetProperty("stores").EnumerateArray().ToList();
        Assert.Equal(3, stores.Count);
        Assert.Equal([1UL, 2UL, 3UL], stores.Select(s => s.GetProperty("id").GetUInt64()));
        Assert.All(stores, s => Assert.Contains(':', s.GetProperty("status_address").GetString()!));

        await using (var pd = GrpcChannel.Create(pdAddress))
        {
            var clusterId = await ClusterIdAsync(pd);
            Assert.NotEqual(0UL, clusterId);
            await RawPutThroughPdAsync(pd, clusterId, "from-test", "v");
        }

        Assert.Equal(0, await playground.TerminateAsync());
        Assert.Contains("TiKV playground", playground.Output, StringComparison.Ordinal);
        Assert.Contains(pdAddress, playground.Output, StringComparison.Ordinal);
        Assert.Contains("Stopped", playground.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_port_falls_back_to_a_free_one_and_says_so()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var busy = ((IPEndPoint)occupier.LocalEndpoint).Port;
        var readyFile = Path.Combine(_directory, "ready.json");
        await using var playground = PlaygroundProcess.Start("--kv", "1", "--pd-port", busy.ToString(), "--kv-port", "0", "--status-port", "0", "--ready-file", readyFile);
        using var ready = await playground.WaitForReadyFileAsync(readyFile);
        var pdAddress = ready.RootElement.GetProperty("pd")[0].GetString()!;
        Assert.DoesNotContain($":{busy}", pdAddress, StringComparison.Ordinal);

        // The ready file comes first, the console report right after it: read the output once the playground is done.
        Assert.Equal(0, await playground.TerminateAsync());
        Assert.Contains($"Port {busy} is busy; PD listens on {pdAddress[(pdAddress.LastIndexOf(':') + 1)..]} instead.", playground.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durable_playground_survives_kill_9()
    {
        var dataDirectory = Path.Combine(_directory, "data");
        var readyFile = Path.Combine(_directory, "ready.json");
        ulong clusterId;
        await using (var playground = PlaygroundProcess.Start("--pd-port", "0", "--kv-port", "0", "--status-port", "0", "--data-dir", dataDirectory, "--ready-file", readyFile))
        {
            using var ready = await playground.WaitForReadyFileAsync(readyFile);
            await using var pd = GrpcChannel.Create(ready.RootElement.GetProperty("pd")[0].GetString()!);
            clusterId = await ClusterIdAsync(pd);
            for (var i = 0; i < 20; i++)
            {
                await RawPutThroughPdAsync(pd, clusterId, $"durable-{i:D2}", $"value-{i}");
            }

            playground.KillHard();
            await playground.WaitForExitAsync();
        }

        await using var restarted = await TestCluster.StartAsync(new DevClusterOptions { DataDirectory = dataDirectory });
        Assert.Equal(clusterId, restarted.Cluster.ClusterId);
        for (var i = 0; i < 20; i++)
        {
            var value = await restarted.RawGetAsync(Rpc.Bytes($"durable-{i:D2}"));
            Assert.Equal($"value-{i}", System.Text.Encoding.UTF8.GetString(value!));
        }

    }

    [Fact]
    public async Task Invalid_options_are_refused_with_a_clear_error()
    {
        var run = await Repository.RunAsync("dotnet", [PlaygroundProcess.CliPath, "playground", "--tag", "x", "--data-dir", _directory], TimeSpan.FromSeconds(30));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--tag and --data-dir cannot be used together", run.Error, StringComparison.Ordinal);
    }
}
