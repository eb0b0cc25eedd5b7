using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>Raw HTTP/2 requests the server must answer with a proper status, then keep serving.</summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private EchoServer? _echo;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        _echo = await EchoServer.StartAsync(new GrpcServerOptions { MaxReceiveMessageSize = 1024 * 1024 });
        _http = new HttpClient(new SocketsHttpHandler())
        {
            BaseAddress = new Uri($"http://{_echo.Server.Address}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await _echo!.DisposeAsync();
    }

    [Fact]
    public async Task Wrong_content_type_is_http_415()
    {
        (HttpStatusCode http, string? status, string? message) = await PostAsync("/interop.Echo/Unary", Frame(new EchoRequest().ToByteArray()), "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, http);
        Assert.Equal("13", status);
        Assert.Contains("application/json", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Get_is_http_405()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/interop.Echo/Unary") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("content-type", "application/grpc");
        using HttpResponseMessage response = await _http!.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Unknown_path_is_unimplemented_trailers_only()
    {
        (HttpStatusCode http, string? status, string? message) = await PostAsync("/interop.Echo/Nope", Frame(new EchoRequest().ToByteArray()));
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal("12", status);
        Assert.Contains("/interop.Echo/Nope", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Truncated_frame_is_internal()
    {
        byte[] body = Frame(new byte[100]).AsSpan(0, 30).ToArray();
        (_, string? status, string? message) = await PostAsync("/interop.Echo/Unary", body);
        Assert.Equal("13", status);
        Assert.Contains("truncated", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Garbage_protobuf_is_internal()
    {
        (_, string? status, string? message) = await PostAsync("/interop.Echo/Unary", Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.Equal("13", status);
        Assert.Contains("Failed to deserialize", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Compressed_flag_without_encoding_is_internal()
    {
        byte[] body = Frame(new EchoRequest { Text = "x" }.ToByteArray());
        body[0] = 1;
        (_, string? status, string? message) = await PostAsync("/interop.Echo/Unary", body);
        Assert.Equal("13", status);
        Assert.Contains("compressed", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Empty_and_doubled_bodies_are_internal()
    {
        (_, string? empty, _) = await PostAsync("/interop.Echo/Unary", []);
        Assert.Equal("13", empty);
        byte[] one = Frame(new EchoRequest().ToByteArray());
        (_, string? twice, _) = await PostAsync("/interop.Echo/Unary", [.. one, .. one]);
        Assert.Equal("13", twice);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Oversized_length_prefix_is_resource_exhausted()
    {
        byte[] header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), 512 * 1024 * 1024);
        (_, string? status, _) = await PostAsync("/interop.Echo/Unary", header);
        Assert.Equal("8", status);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Garbage_in_a_stream_is_internal()
    {
        byte[] good = Frame(new EchoRequest { Sequence = 3 }.ToByteArray());
        (_, string? status, string? message) = await PostAsync("/interop.Echo/Duplex", [.. good, .. Frame([0xFF, 0xFF, 0xFF])]);
        Assert.Equal("13", status);
        Assert.Contains("Failed to deserialize", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Server_enforces_grpc_timeout_on_its_own()
    {
        // No client-side deadline: only the server's reading of grpc-timeout can end this call early.
        (_, string? status, _) = await PostAsync(
            "/interop.Echo/Unary",
            Frame(new EchoRequest { SleepMs = 10_000 }.ToByteArray()),
            timeout: "200m");
        Assert.Equal("4", status);
        Assert.Equal("/interop.Echo/Unary", (await _echo!.Service.CancellationObserved).Method);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("99999999H")]
    [InlineData("soon")]
    public async Task Huge_or_malformed_grpc_timeout_does_not_break_the_call(string timeout)
    {
        (_, string? unary, _) = await PostAsync("/interop.Echo/Unary", Frame(new EchoRequest().ToByteArray()), timeout: timeout);
        Assert.Equal("0", unary);
        (_, string? duplex, _) = await PostAsync("/interop.Echo/Duplex", Frame(new EchoRequest().ToByteArray()), timeout: timeout);
        Assert.Equal("0", duplex);
    }

    private async Task<(HttpStatusCode Http, string? Status, string? Message)> PostAsync(string path, byte[] body, string contentType = "application/grpc", string? timeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        if (timeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        }

        using HttpResponseMessage response = await _http!.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        string? status = Header(response.Headers, "grpc-status") ?? Header(response.TrailingHeaders, "grpc-status");
        string? message = Header(response.Headers, "grpc-message") ?? Header(response.TrailingHeaders, "grpc-message");
        return (response.StatusCode, status, message is null ? null : Uri.UnescapeDataString(message));
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values) : null;

    private static byte[] Frame(byte[] message)
    {
        byte[] frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private async Task AssertStillServingAsync()
    {
        EchoResponse reply = await _echo!.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "still here" });
        Assert.Equal("still here", reply.Text);
    }
}
