using TiKV.Grpc.Tests.Protos;

namespace TiKV.Grpc.Tests;

/// <summary>Typed methods of the test-only <c>interop.Echo</c> service.</summary>
internal static class EchoMethods
{
    public static readonly GrpcMethod<EchoRequest, EchoResponse> Unary =
        GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(EchoReflection.Descriptor.Services[0], "Unary");

    public static readonly GrpcMethod<EchoRequest, EchoResponse> Duplex =
        GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(EchoReflection.Descriptor.Services[0], "Duplex");

    public static readonly GrpcMethod<EchoRequest, EchoResponse> Missing =
        GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(EchoReflection.Descriptor.Services[0], "Missing");
}
