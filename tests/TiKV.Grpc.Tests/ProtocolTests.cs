using TiKV.Grpc.Internal;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>Unit tests of the protocol pieces that need no network.</summary>
public sealed class ProtocolTests
{
    [Theory]
    [InlineData("ключ не найден ✓")]
    [InlineData("100% done")]
    [InlineData("plain ascii")]
    [InlineData("line\nbreak")]
    public void Grpc_message_percent_encoding_round_trips(string text)
    {
        string encoded = PercentEncoding.Encode(text);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(text, PercentEncoding.Decode(encoded));
    }

    [Fact]
    public void Percent_decoding_matches_c_core_encoding_and_keeps_stray_percent()
    {
        Assert.Equal("✓", PercentEncoding.Decode("%E2%9C%93"));
        Assert.Equal("50%", PercentEncoding.Decode("50%"));
        Assert.Equal("%zz", PercentEncoding.Decode("%zz"));
    }

    [Theory]
    [InlineData(300, "300000u")]
    [InlineData(1, "1000u")]
    [InlineData(3_600_000, "3600000m")]
    [InlineData(400_000_000, "400000S")]
    public void Timeouts_are_encoded_with_at_most_eight_digits(long milliseconds, string expected)
    {
        Assert.Equal(expected, GrpcProtocol.FormatTimeout(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData("1H", 3_600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3_000)]
    [InlineData("250m", 250)]
    [InlineData("5000u", 5)]
    [InlineData("7000000n", 7)]
    public void Timeouts_are_parsed_in_every_unit(string header, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GrpcProtocol.ParseTimeout(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-5S")]
    [InlineData("123456789S")]
    public void Malformed_timeouts_are_ignored(string? header)
    {
        Assert.Null(GrpcProtocol.ParseTimeout(header));
    }

    [Fact]
    public void Infinite_and_out_of_range_timeouts_are_normalized()
    {
        Assert.Null(GrpcProtocol.EffectiveTimeout(null));
        Assert.Null(GrpcProtocol.EffectiveTimeout(Timeout.InfiniteTimeSpan));
        Assert.Equal(TimeSpan.Zero, GrpcProtocol.EffectiveTimeout(TimeSpan.FromSeconds(-3)));
        Assert.Equal(TimeSpan.FromMilliseconds(int.MaxValue), GrpcProtocol.EffectiveTimeout(TimeSpan.FromDays(365)));
    }

    [Fact]
    public async Task Infinite_call_timeout_means_no_deadline()
    {
        await using EchoServer echo = await EchoServer.StartAsync();
        EchoResponse reply = await echo.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "t" }, new CallOptions(Timeout: Timeout.InfiniteTimeSpan));
        Assert.Equal("t", reply.Text);
        Assert.Null(echo.Service.LastDeadline);
    }

    [Fact]
    public void Metadata_normalizes_keys_and_separates_binary_values()
    {
        var metadata = new Metadata { { "X-Trace", "abc" }, { "blob-bin", [1, 2, 3] } };
        Assert.Equal(2, metadata.Count);
        Assert.Equal("abc", metadata.Get("x-trace"));
        Assert.Equal(new byte[] { 1, 2, 3 }, metadata.GetBytes("blob-bin"));
        Assert.Equal("AQID", metadata.Get("blob-bin"));
        Assert.Null(metadata.Get("absent"));
        Assert.Equal(["x-trace", "blob-bin"], metadata.Select(e => e.Key));
    }

    [Fact]
    public void Metadata_rejects_invalid_entries_with_clear_errors()
    {
        var metadata = new Metadata();
        Assert.Contains("-bin", Assert.Throws<ArgumentException>(() => metadata.Add("data-bin", "text")).Message, StringComparison.Ordinal);
        Assert.Contains("-bin", Assert.Throws<ArgumentException>(() => metadata.Add("data", new byte[] { 1 })).Message, StringComparison.Ordinal);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => metadata.Add("grpc-status", "0")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("key", "naïve"));
        Assert.Equal(0, metadata.Count);
    }

    [Fact]
    public void Binary_metadata_from_the_wire_accepts_unpadded_base64()
    {
        var metadata = new Metadata();
        metadata.AddFromWire("a-bin", "AP8Q");
        metadata.AddFromWire("b-bin", "AP8");
        metadata.AddFromWire("c-bin", "AP8=");
        Assert.Equal(new byte[] { 0, 255, 16 }, metadata.GetBytes("a-bin"));
        Assert.Equal(new byte[] { 0, 255 }, metadata.GetBytes("b-bin"));
        Assert.Equal(new byte[] { 0, 255 }, metadata.GetBytes("c-bin"));
    }

    [Fact]
    public void Rpc_exception_message_names_code_and_detail()
    {
        var error = new RpcException(StatusCode.Unavailable, "store 4 is down");
        Assert.Equal("Status(StatusCode=Unavailable, Detail=\"store 4 is down\")", error.Message);
        Assert.Equal(0, error.Trailers.Count);
    }

    [Fact]
    public void Methods_come_from_the_service_descriptor()
    {
        Assert.Equal("/interop.Echo/Unary", EchoMethods.Unary.FullName);
        Assert.Equal("interop.Echo", EchoMethods.Unary.ServiceName);
        Assert.Equal("Unary", EchoMethods.Unary.Name);
        Assert.Equal(MethodType.Unary, EchoMethods.Unary.Type);
        Assert.Equal(MethodType.DuplexStreaming, EchoMethods.Duplex.Type);
        var service = EchoReflection.Descriptor.Services[0];
        Assert.Equal(MethodType.ServerStreaming, GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(service, "Watch").Type);
        Assert.Equal(MethodType.ClientStreaming, GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(service, "Collect").Type);
    }

    [Fact]
    public void Descriptor_mismatches_are_rejected()
    {
        var service = EchoReflection.Descriptor.Services[0];
        Assert.Contains("no method", Assert.Throws<ArgumentException>(() => GrpcMethod<EchoRequest, EchoResponse>.FromDescriptor(service, "Nope")).Message, StringComparison.Ordinal);
        ArgumentException swapped = Assert.Throws<ArgumentException>(() => GrpcMethod<EchoResponse, EchoRequest>.FromDescriptor(service, "Unary"));
        Assert.Contains("interop.EchoRequest", swapped.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:20160")]
    [InlineData("http://127.0.0.1:20160")]
    [InlineData("https://pd.example:2379")]
    [InlineData("[::1]:20160")]
    public async Task Valid_targets_are_accepted(string target)
    {
        await using var channel = GrpcChannel.Create(target);
        Assert.Equal(target, channel.Target);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("ftp://host:1")]
    [InlineData("not a target")]
    public void Invalid_targets_are_rejected(string target)
    {
        Assert.Contains(target, Assert.Throws<ArgumentException>(() => GrpcChannel.Create(target)).Message, StringComparison.Ordinal);
    }
}
