using System.Net;
using System.Text.Json;
using TiKV.DevCluster.Tests.Infrastructure;

namespace TiKV.DevCluster.Tests.Cluster;

public sealed class StatusEndpointTests
{
    [Fact]
    public async Task Status_and_metrics_describe_the_store()
    {
        await using var t = await TestCluster.StartAsync();
        await t.RawPutAsync(Rpc.Bytes("k"), Rpc.Bytes("v"));
        var store = t.Cluster.Stores[0];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var status = JsonDocument.Parse(await http.GetStringAsync($"http://{store.StatusAddress}/status"));
        Assert.Equal(store.Id, status.RootElement.GetProperty("store_id").GetUInt64());
        Assert.Equal(store.Address, status.RootElement.GetProperty("address").GetString());
        Assert.Equal("Up", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(t.Cluster.ClusterId, status.RootElement.GetProperty("cluster_id").GetUInt64());

        var leader = (await t.GetRegionAsync(Rpc.Bytes("k"))).Leader.StoreId;
        var metrics = await http.GetStringAsync($"http://{t.Cluster.Stores.Single(s => s.Id == leader).StatusAddress}/metrics");
        Assert.Contains("# TYPE tikv_devcluster_requests_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains($"tikv_devcluster_requests_total{{store=\"{leader}\",method=\"RawPut\"}}", metrics, StringComparison.Ordinal);

        using var missing = await http.GetAsync($"http://{store.StatusAddress}/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var post = await http.PostAsync($"http://{store.StatusAddress}/status", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
