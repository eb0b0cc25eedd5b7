using Google.Protobuf;
using Google.Protobuf.Reflection;
using TiKV.Grpc;
using TiKV.Proto.Pdpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.DevCluster.Tests.Infrastructure;

/// <summary>Typed call descriptors built from the tikvpb/pdpb service descriptors.</summary>
internal static class Rpc
{
    public static readonly ServiceDescriptor Tikv = TikvpbReflection.Descriptor.Services.Single(s => s.Name == "Tikv");
    public static readonly ServiceDescriptor Pd = PdpbReflection.Descriptor.Services.Single(s => s.Name == "PD");

    public static readonly CallOptions Short = new(Timeout: TimeSpan.FromSeconds(15));

    public static GrpcMethod<TRequest, TResponse> Kv<TRequest, TResponse>(string name)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new() =>
        GrpcMethod<TRequest, TResponse>.FromDescriptor(Tikv, name);

    public static GrpcMethod<TRequest, TResponse> PdMethod<TRequest, TResponse>(string name)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new() =>
        GrpcMethod<TRequest, TResponse>.FromDescriptor(Pd, name);

    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
