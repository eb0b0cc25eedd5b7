using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>
/// A server that goes away before it takes a call up makes the call UNAVAILABLE (retryable), as gRPC's HTTP/2 mapping
/// and C-core/grpc-java report it; a reset after the response started keeps the RST_STREAM mapping.
/// </summary>
public sealed class ConnectionLossTests
{
    private const byte HeadersFrame = 0x1;
    private const byte RstStreamFrame = 0x3;
    private const byte SettingsFrame = 0x4;
    private const byte GoAwayFrame = 0x7;

    [Fact]
    public async Task Graceful_goaway_then_close_before_any_response_is_unavailable()
    {
        await using var server = RawHttp2Server.Start(async (connection, streamId) =>
        {
            // Kestrel's graceful shutdown: GOAWAY NO_ERROR, then the connection closes without answering.
            await connection.SendAsync(GoAwayFrame, 0, 0, GoAwayPayload(streamId, errorCode: 0));
            return false;
        });
        await using var channel = GrpcChannel.Create(server.Address);

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.True(error.StatusCode == StatusCode.Unavailable, error.ToString() + error.InnerException);
        Assert.Contains(server.Address, error.Detail, StringComparison.Ordinal);
        Assert.Contains("NO_ERROR", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_stream_is_unavailable_and_other_resets_before_a_response_keep_their_mapping()
    {
        uint resetCode = 0x7;
        await using var server = RawHttp2Server.Start(async (connection, streamId) =>
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(payload, resetCode);
            await connection.SendAsync(RstStreamFrame, 0, streamId, payload);
            return true;
        });
        await using var channel = GrpcChannel.Create(server.Address);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

        // INTERNAL_ERROR: the gRPC HTTP/2 mapping says INTERNAL; nothing suggests the call was not taken up.
        resetCode = 0x2;
        RpcException internalError = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
        Assert.Equal(StatusCode.Internal, internalError.StatusCode);
    }

    [Fact]
    public async Task Calls_on_a_connection_to_a_stopped_server_are_unavailable()
    {
        for (int i = 0; i < 5; i++)
        {
            var server = new GrpcServer(new GrpcServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(2) });
            new EchoService().MapTo(server);
            await server.StartAsync("127.0.0.1", 0);
            await using var channel = GrpcChannel.Create(server.Address);
            await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "up" });
            await server.StopAsync();

            // The client may not have seen the connection close yet: the call then fails on the old connection.
            RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            await server.DisposeAsync();
        }
    }

    private static byte[] GoAwayPayload(int lastStreamId, uint errorCode)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), errorCode);
        return payload;
    }

    /// <summary>
    /// Just enough HTTP/2 to accept a client's connection and hand each request's HEADERS to a reaction; the reaction
    /// returns whether to keep the connection open.
    /// </summary>
    private sealed class RawHttp2Server : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Func<RawHttp2Server, int, Task<bool>> _onRequest;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private NetworkStream? _stream;

        private RawHttp2Server(Func<RawHttp2Server, int, Task<bool>> onRequest)
        {
            _onRequest = onRequest;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = Task.Run(AcceptLoopAsync);
        }

        public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

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
                _stream = client.GetStream();
                try
                {
                    await ServeAsync(_stream);
                }
                catch (Exception e) when (e is IOException or EndOfStreamException)
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
                else if (type == HeadersFrame && !await _onRequest(this, streamId))
                {
                    return;
                }
            }
        }
    }
}
