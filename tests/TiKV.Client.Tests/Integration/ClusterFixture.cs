using TiKV.DevCluster;

namespace TiKV.Client.Tests.Integration;

/// <summary>One in-process DevCluster shared by a test class, with a batching and a non-batching client.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TiKV.DevCluster.DevCluster Cluster { get; private set; } = null!;

    public TiKVClient Batched { get; private set; } = null!;

    public TiKVClient Unary { get; private set; } = null!;

    public TiKVClient Client(bool batched) => batched ? Batched : Unary;

    public async Task InitializeAsync()
    {
        Cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3 });
        Batched = await TiKVClient.ConnectAsync(Options(Cluster));
        Unary = await TiKVClient.ConnectAsync(Options(Cluster, o => o.EnableBatchCommands = false));
    }

    public async Task DisposeAsync()
    {
        await Batched.DisposeAsync();
        await Unary.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public static TiKVClientOptions Options(TiKV.DevCluster.DevCluster cluster, Action<TiKVClientOptions>? configure = null)
    {
        var options = new TiKVClientOptions { PdEndpoints = [cluster.PdAddress], AtomicForCas = true };
        configure?.Invoke(options);
        return options;
    }
}
