using System.Diagnostics;
using Google.Protobuf;
using TiKV.Benchmarks.Echo;
using TiKV.Benchmarks.Load;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Grpc;

/// <summary>Unary echo round trips on loopback from <c>callers</c> concurrent callers sharing one channel.</summary>
internal sealed class GrpcUnaryScenario : ILoadScenario
{
    private GrpcServer? _server;
    private GrpcChannel? _channel;

    public GrpcUnaryScenario(LoadOptions options)
    {
        WorkerCount = options.GetInt("callers", 1);
    }

    public string Description => $"grpc unary echo, {WorkerCount} caller(s)";

    public string Unit => "call";

    public int WorkerCount { get; }

    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        _server = await EchoServer.StartAsync(cancellationToken);
        _channel = GrpcChannel.Create(_server.Address);
    }

    public async Task RunWorkerAsync(LoadWorker worker, LoadControl control)
    {
        var channel = _channel!;
        var request = new EchoMessage { Id = (ulong)worker.Index, Payload = ByteString.CopyFrom(new byte[16]) };
        while (control.IsRunning)
        {
            var start = Stopwatch.GetTimestamp();
            await channel.UnaryAsync(EchoMethods.Unary, request);
            control.Record(worker, start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
