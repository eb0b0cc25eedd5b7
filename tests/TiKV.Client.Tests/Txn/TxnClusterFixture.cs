using TiKV.Client.Tests.Integration;
using TiKV.DevCluster;

namespace TiKV.Client.Tests.Txn;

/// <summary>One in-process DevCluster (3 stores) shared by a transactional test class, with one batching client.</summary>
public sealed class TxnClusterFixture : IAsyncLifetime
{
    public TiKV.DevCluster.DevCluster Cluster { get; private set; } = null!;

    public TiKVClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 3 });
        Client = await TiKVClient.ConnectAsync(ClusterFixture.Options(Cluster));
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
