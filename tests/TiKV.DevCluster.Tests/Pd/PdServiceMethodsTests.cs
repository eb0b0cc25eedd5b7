using System.Reflection;
using TiKV.DevCluster.Internal.Pd;
using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Pd;

/// <summary>PD's method table is built without descriptors; every entry must still match pdpb.proto exactly.</summary>
public sealed class PdServiceMethodsTests
{
    public static TheoryData<string> Fields()
    {
        var data = new TheoryData<string>();
        foreach (var field in typeof(PdServiceMethods).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => !f.IsLiteral))
        {
            data.Add(field.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Each_method_matches_the_service_descriptor(string fieldName)
    {
        var field = typeof(PdServiceMethods).GetField(fieldName, BindingFlags.Public | BindingFlags.Static)!;
        var method = field.GetValue(null)!;
        var type = method.GetType();
        Assert.Equal(typeof(GrpcMethod<,>), type.GetGenericTypeDefinition());
        var name = (string)type.GetProperty(nameof(GrpcMethod<TsoRequest, TsoResponse>.Name))!.GetValue(method)!;
        var fullName = (string)type.GetProperty(nameof(GrpcMethod<TsoRequest, TsoResponse>.FullName))!.GetValue(method)!;
        var methodType = (MethodType)type.GetProperty(nameof(GrpcMethod<TsoRequest, TsoResponse>.Type))!.GetValue(method)!;

        var service = PdpbReflection.Descriptor.Services.Single(s => s.Name == "PD");
        var declared = service.FindMethodByName(name);
        Assert.True(declared is not null, $"pdpb.PD has no method {name}");
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
        Assert.Equal(expected, methodType);
    }

    [Fact]
    public void The_table_lists_each_method_once()
    {
        var names = typeof(PdServiceMethods).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => !f.IsLiteral)
            .Select(f => f.GetValue(null)!.ToString())
            .ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(21, names.Count);
    }
}
