using TiKV.Benchmarks.Echo;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Grpc;

/// <summary>Call descriptors of the bench-only echo service.</summary>
public static class EchoMethods
{
    public static readonly GrpcMethod<EchoMessage, EchoMessage> Unary =
        GrpcMethod<EchoMessage, EchoMessage>.FromDescriptor(EchoReflection.Descriptor.Services[0], "Unary");

    public static readonly GrpcMethod<EchoBatch, EchoBatch> Stream =
        GrpcMethod<EchoBatch, EchoBatch>.FromDescriptor(EchoReflection.Descriptor.Services[0], "Stream");
}
