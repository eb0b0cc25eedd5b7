using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TiKV.Grpc.Tests;

/// <summary>
/// Just enough HTTP/2 to accept a client's connection and hand each request's HEADERS to a reaction; the reaction
/// returns whether to keep the connection open. <see cref="DropConnection"/> breaks the connection abruptly.
/// </summary>
internal sealed class RawHttp2Server : IAsyncDisposable
{
    public const byte DataFrame = 0x0;
    public const byte HeadersFrame = 0x1;
    public const byte RstStreamFrame = 0x3;
    public const byte SettingsFrame = 0x4;
    public const byte GoAwayFrame = 0x7;

    private const byte EndHeaders = 0x4;

    private readonly TcpListener _listener;
    private readonly Func<RawHttp2Server, int, Task<bool>> _onRequest;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly TaskCompletionSource _dataReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NetworkStream? _stream;
    private TcpClient? _client;

    private RawHttp2Server(Func<RawHttp2Server, int, Task<bool>> onRequest)
    {
        _onRequest = onRequest;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Completes once a DATA frame of a request has arrived.</summary>
    public Task DataReceived => _dataReceived.Task;

    public static RawHttp2Server Start(Func<RawHttp2Server, int, Task<bool>> onRequest) => new(onRequest);

    public async Task SendAsync(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        await _stream!.WriteAsync(frame);
        await _stream.FlushAsync();
    }

    /// <summary>Sends response HEADERS ":status: 200" and "content-type: application/grpc", leaving the stream open.</summary>
    public Task SendResponseHeadersAsync(int streamId)
    {
        byte[] contentType = Encoding.ASCII.GetBytes("application/grpc");

        // HPACK: ":status: 200" is static-table entry 8; content-type (entry 31) as a literal without indexing.
        byte[] block = [0x88, 0x0f, 0x10, (byte)contentType.Length, .. contentType];
        return SendAsync(HeadersFrame, EndHeaders, streamId, block);
    }

    /// <summary>Sends one length-prefixed gRPC message in a DATA frame.</summary>
    public Task SendMessageAsync(int streamId, byte[] message)
    {
        var payload = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(1), message.Length);
        message.CopyTo(payload, 5);
        return SendAsync(DataFrame, 0, streamId, payload);
    }

    /// <summary>Breaks the connection with a TCP reset, as when the server's process is killed mid-call.</summary>
    public void DropConnection()
    {
        TcpClient? client = _client;
        if (client is not null)
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _client = client;
            _stream = client.GetStream();
            try
            {
                await ServeAsync(_stream);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    private async Task ServeAsync(NetworkStream stream)
    {
        await stream.ReadExactlyAsync(new byte[24], _stop.Token); // the client preface
        await SendAsync(SettingsFrame, 0, 0, []);
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, _stop.Token);
            int length = (header[0] << 16) | (header[1] << 8) | header[2];
            byte type = header[3];
            byte flags = header[4];
            int streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
            await stream.ReadExactlyAsync(new byte[length], _stop.Token);
            if (type == SettingsFrame && (flags & 0x1) == 0)
            {
                await SendAsync(SettingsFrame, 0x1, 0, []);
            }
            else if (type == DataFrame && length > 0)
            {
                _dataReceived.TrySetResult();
            }
            else if (type == HeadersFrame && !await _onRequest(this, streamId))
            {
                return;
            }
        }
    }
}
