using Google.Protobuf.Reflection;
using TiKV.Grpc;

namespace TiKV.Tests.Shared;

/// <summary>Checks a method built by name (<c>GrpcMethod.Create</c>) against the service's protobuf descriptor.</summary>
internal static class MethodTableAssert
{
    /// <summary>
    /// <paramref name="method"/> is a <c>GrpcMethod&lt;TRequest, TResponse&gt;</c> whose name, full name, message
    /// types and streaming kind are exactly those <paramref name="service"/> declares.
    /// </summary>
    public static void MatchesDescriptor(object method, ServiceDescriptor service)
    {
        var type = method.GetType();
        Assert.Equal(typeof(GrpcMethod<,>), type.GetGenericTypeDefinition());
        var name = (string)type.GetProperty("Name")!.GetValue(method)!;
        var fullName = (string)type.GetProperty("FullName")!.GetValue(method)!;
        var methodType = (MethodType)type.GetProperty("Type")!.GetValue(method)!;

        var declared = service.FindMethodByName(name);
        Assert.True(declared is not null, $"{service.FullName} has no method {name}");
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
}
