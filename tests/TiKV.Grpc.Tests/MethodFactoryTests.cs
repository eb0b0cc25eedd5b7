using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

public sealed class MethodFactoryTests
{
    [Theory]
    [InlineData("Unary", MethodType.Unary)]
    [InlineData("Duplex", MethodType.DuplexStreaming)]
    [InlineData("Watch", MethodType.ServerStreaming)]
    [InlineData("Collect", MethodType.ClientStreaming)]
    public void Created_methods_match_the_descriptor_built_ones(string name, MethodType type)
    {
        var created = GrpcMethod<EchoRequest, EchoResponse>.Create("interop.Echo", name, type, EchoRequest.Parser, EchoResponse.Parser);
        var described = GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(EchoReflection.Descriptor.Services[0], name);
        Assert.Equal(described.FullName, created.FullName);
        Assert.Equal(described.ServiceName, created.ServiceName);
        Assert.Equal(described.Name, created.Name);
        Assert.Equal(described.Type, created.Type);
        Assert.Same(EchoRequest.Parser, created.RequestParser);
        Assert.Same(EchoResponse.Parser, created.ResponseParser);
    }

    [Fact]
    public async Task Created_methods_serve_and_call_like_descriptor_built_ones()
    {
        var unary = GrpcMethod<EchoRequest, EchoResponse>.Create("interop.Echo", "Unary", MethodType.Unary, EchoRequest.Parser, EchoResponse.Parser);
        await using var server = new GrpcServer();
        server.MapUnary(unary, (request, _) => ValueTask.FromResult(new EchoResponse { Text = request.Text + "!" }));
        await server.StartAsync("127.0.0.1", 0);
        await using var channel = GrpcChannel.Create(server.Address);

        Assert.Equal("region!", (await channel.UnaryAsync(unary, new EchoRequest { Text = "region" })).Text);
        Assert.Equal("store!", (await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "store" })).Text);
    }

    [Theory]
    [InlineData("", "RawGet", "serviceName")]
    [InlineData("tikvpb.Tikv", "", "methodName")]
    [InlineData("tikvpb/Tikv", "RawGet", "serviceName")]
    [InlineData(".tikvpb.Tikv", "RawGet", "serviceName")]
    [InlineData("tikvpb..Tikv", "RawGet", "serviceName")]
    [InlineData("tikvpb.1Tikv", "RawGet", "serviceName")]
    [InlineData("tikvpb.Tikv", "Raw Get", "methodName")]
    [InlineData("tikvpb.Tikv", "/tikvpb.Tikv/RawGet", "methodName")]
    [InlineData("tikvpb.Tikv", "9RawGet", "methodName")]
    public void Invalid_names_are_rejected_naming_the_argument(string service, string method, string parameter)
    {
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(
            () => GrpcMethod<EchoRequest, EchoResponse>.Create(service, method, MethodType.Unary, EchoRequest.Parser, EchoResponse.Parser));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void Missing_parsers_and_unknown_types_are_rejected()
    {
        Assert.Equal("requestParser", Assert.Throws<ArgumentNullException>(
            () => GrpcMethod<EchoRequest, EchoResponse>.Create("interop.Echo", "Unary", MethodType.Unary, null!, EchoResponse.Parser)).ParamName);
        Assert.Equal("responseParser", Assert.Throws<ArgumentNullException>(
            () => GrpcMethod<EchoRequest, EchoResponse>.Create("interop.Echo", "Unary", MethodType.Unary, EchoRequest.Parser, null!)).ParamName);
        Assert.Equal("type", Assert.Throws<ArgumentOutOfRangeException>(
            () => GrpcMethod<EchoRequest, EchoResponse>.Create("interop.Echo", "Unary", (MethodType)7, EchoRequest.Parser, EchoResponse.Parser)).ParamName);
    }

    [Fact]
    public void A_service_without_a_package_is_accepted()
    {
        var method = GrpcMethod<EchoRequest, EchoResponse>.Create("Echo", "Unary_2", MethodType.Unary, EchoRequest.Parser, EchoResponse.Parser);
        Assert.Equal("/Echo/Unary_2", method.FullName);
    }
}
