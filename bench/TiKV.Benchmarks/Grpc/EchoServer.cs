using Google.Protobuf;
using TiKV.Benchmarks.Echo;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Grpc;

/// <summary>
/// An echo server on loopback: unary returns the request, the stream sends every batch straight back.
/// It does no work of its own, so what it measures is the gRPC layer (framing, HTTP/2, protobuf).
/// </summary>
public static class EchoServer
{
    public static async Task<GrpcServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new GrpcServer(new GrpcServerOptions());
        server.MapUnary(EchoMethods.Unary, static (request, _) => ValueTask.FromResult(request));
        server.MapDuplexStreaming(EchoMethods.Stream, static async (requests, responses, context) =>
        {
            while (await requests.MoveNextAsync(context.CancellationToken))
            {
                await responses.WriteAsync(requests.Current, context.CancellationToken);
            }
        });
        await server.StartAsync("127.0.0.1", 0, cancellationToken);
        return server;
    }

    /// <summary>A batch of <paramref name="size"/> messages with 16-byte payloads.</summary>
    public static EchoBatch Batch(int size)
    {
        var batch = new EchoBatch();
        var payload = ByteString.CopyFrom(new byte[16]);
        for (var i = 0; i < size; i++)
        {
            batch.Messages.Add(new EchoMessage { Id = (ulong)i, Payload = payload });
        }

        return batch;
    }
}
