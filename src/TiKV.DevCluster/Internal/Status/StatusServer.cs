using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TiKV.DevCluster.Internal.Status;

/// <summary>
/// A store's HTTP/1.1 status endpoint, like TiKV's status server: <c>GET /status</c> answers JSON describing the
/// store and <c>GET /metrics</c> answers Prometheus text. Deliberately small: one request per connection.
/// </summary>
internal sealed class StatusServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 16 * 1024;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Func<string, (int Status, string ContentType, string Body)> _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private StatusServer(TcpListener listener, Func<string, (int, string, string)> handler, ILogger logger)
    {
        _listener = listener;
        _handler = handler;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port actually bound.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Binds <paramref name="host"/>:<paramref name="port"/> (0 = ephemeral) and starts serving. The handler maps a
    /// request path to a status code, content type and body.
    /// </summary>
    /// <exception cref="SocketException">The port cannot be bound.</exception>
    public static StatusServer Start(string host, int port, Func<string, (int, string, string)> handler, ILogger logger)
    {
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : (host == "localhost" ? IPAddress.Loopback : IPAddress.Any);
        var listener = new TcpListener(address, port);
        listener.Start();
        return new StatusServer(listener, handler, logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var owned = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            var stream = client.GetStream();
            var path = await ReadRequestPathAsync(stream, timeout.Token).ConfigureAwait(false);
            var (status, contentType, body) = path is null
                ? (400, "text/plain; charset=utf-8", "bad request\n")
                : _handler(path);
            var bodyBytes = Encoding.UTF8.GetBytes(body);
            var reason = status switch { 200 => "OK", 404 => "Not Found", 405 => "Method Not Allowed", _ => "Bad Request" };
            var header = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(header), timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync(bodyBytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Log.StatusRequestFailed(_logger, e);
        }
    }

    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
        var requestLine = lineEnd < 0 ? text : text[..lineEnd];
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        if (parts[0] != "GET")
        {
            return "!" + parts[0];
        }

        var path = parts[1];
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? path : path[..query];
    }
}
