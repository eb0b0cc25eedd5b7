using TiKV.DevCluster.Internal.Store;
using TiKV.Grpc;
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
            var type = method.GetType();
            Assert.Equal(typeof(GrpcMethod<,>), type.GetGenericTypeDefinition());
            var name = (string)type.GetProperty("Name")!.GetValue(method)!;
            var fullName = (string)type.GetProperty("FullName")!.GetValue(method)!;
            var methodType = (MethodType)type.GetProperty("Type")!.GetValue(method)!;
            var declared = service.FindMethodByName(name);
            Assert.True(declared is not null, $"tikvpb.Tikv has no method {name}");
            Assert.Equal("/" + service.FullName + "/" + declared.Name, fullName);
            Assert.Equal(declared.InputType.ClrType, type.GetGenericArguments()[0]);
            Assert.Equal(declared.OutputType.ClrType, type.GetGenericArguments()[1]);
            var expected = (declared.IsClientStreaming, declared.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (true, false) => MethodType.ClientStreaming,
                (false, true) => MethodType.ServerStreaming,
                _ => MethodType.DuplexStreaming,
            };
            Assert.True(expected == methodType, $"{name}: {methodType}, declared {expected}");
        }

        // Every unary method in the store's enumeration is registered, plus BatchCommands.
        Assert.Equal(Enum.GetValues<TikvMethod>().Length + 1, table.Count);
    }
}
