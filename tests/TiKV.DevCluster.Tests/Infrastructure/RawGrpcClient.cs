using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace TiKV.DevCluster.Tests.Infrastructure;

/// <summary>Sends arbitrary bytes as a gRPC request body over h2c, to test what a server does with malformed input.</summary>
internal sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(15),
    };

    public static byte[] Frame(ReadOnlySpan<byte> payload, byte compressed = 0)
    {
        var frame = new byte[payload.Length + 5];
        frame[0] = compressed;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/> and returns the gRPC status code and message.</summary>
    public async Task<(int Status, string Message, byte[] Body)> SendAsync(string address, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{address}{path}")
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await _http.SendAsync(request);
        var responseBody = await response.Content.ReadAsByteArrayAsync();
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        var message = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? "";
        Assert.True(status is not null, $"no grpc-status for {path} (HTTP {(int)response.StatusCode})");
        return (int.Parse(status!), Uri.UnescapeDataString(message), responseBody);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
