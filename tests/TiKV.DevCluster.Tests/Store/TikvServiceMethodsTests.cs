using TiKV.DevCluster.Internal.Store;
using TiKV.Tests.Shared;
using TiKV.Proto.Tikvpb;

namespace TiKV.DevCluster.Tests.Store;

/// <summary>The store's method table is built without descriptors; every entry must still match tikvpb.proto exactly.</summary>
public sealed class TikvServiceMethodsTests
{
    [Fact]
    public async Task Every_served_method_matches_the_service_descriptor()
    {
        await using var cluster = await DevCluster.StartAsync(new DevClusterOptions { StoreCount = 1 });
        var table = TikvService.MethodTable;
        var service = TikvpbReflection.Descriptor.Services.Single(s => s.Name == "Tikv");
        foreach (var method in table)
        {
            MethodTableAssert.MatchesDescriptor(method, service);
        }

        // Every unary method in the store's enumeration is registered, plus BatchCommands.
        Assert.Equal(Enum.GetValues<TikvMethod>().Length + 1, table.Count);
    }
}
