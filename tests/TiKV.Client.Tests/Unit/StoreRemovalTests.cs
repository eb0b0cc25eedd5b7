using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Tests.Fakes;

namespace TiKV.Client.Tests.Unit;

/// <summary>A store PD no longer knows (removed and purged) is treated as gone, not as a PD failure to retry.</summary>
public class StoreRemovalTests
{
    private static TiKVClientOptions Options(string endpoint)
    {
        var options = new TiKVClientOptions { PdEndpoints = [endpoint], PdTimeout = TimeSpan.FromSeconds(2) };
        options.Freeze();
        return options;
    }

    [Fact]
    public async Task PD_answering_invalid_store_id_not_found_means_the_store_is_gone()
    {
        await using var server = await FakePdServer.StartAsync();
        await using var pd = await PdClient.ConnectAsync(Options(server.Address), NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal("127.0.0.1:1", (await pd.GetStoreAsync(1, CancellationToken.None))?.Address);
        Assert.Null(await pd.GetStoreAsync(42, CancellationToken.None));

        // Any other UNKNOWN error is still PD failing the call, which the caller may retry.
        var ex = await Assert.ThrowsAsync<PdException>(() => pd.GetAllStoresAsync(CancellationToken.None));
        Assert.True(ex.IsRetryable);
        Assert.Contains("overloaded", ex.Message);
    }

    [Fact]
    public async Task A_region_led_from_a_removed_store_is_reloaded_instead_of_probing_its_other_peers()
    {
        var pd = new FakePdClient();
        var transport = new ScriptedTransport();
        var stores = new FakeKvStores(pd, transport);
        stores.SetRegions(
            (FakePdClient.MakeRegion(1, "", "g", 1, 1, 2, 3), 1),
            (FakePdClient.MakeRegion(2, "g", "p", 1, 1, 2, 4), 4),
            (FakePdClient.MakeRegion(3, "p", "", 1, 1, 2, 3), 3));
        await using var client = FakeCluster.Client(pd, transport);
        await client.Raw.PutAsync("a", "warm");

        // PD still hands out region 2 with its leader on store 4, which it no longer knows; by the time the client
        // asks about store 4 the region has moved to stores 1, 2, 3 with the leader on 3.
        pd.OnGetStore = id =>
        {
            if (id == 4)
            {
                stores.SetRegions(
                    (FakePdClient.MakeRegion(1, "", "g", 1, 1, 2, 3), 1),
                    (FakePdClient.MakeRegion(2, "g", "p", 2, 1, 2, 3), 3),
                    (FakePdClient.MakeRegion(3, "p", "", 1, 1, 2, 3), 3));
            }
        };
        while (transport.Calls.TryDequeue(out _))
        {
        }

        await client.Raw.PutAsync("h", "1");

        Assert.Equal(new[] { "s3" }, transport.Calls.Select(c => c.Address));
        Assert.Equal("1", Encoding.UTF8.GetString(stores.Read("h")!));
    }
}
