using Google.Protobuf;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.Benchmarks.Cluster;

/// <summary>
/// A Tikv service that answers every RawGet of a BatchCommands frame with a fixed 16-byte value and touches
/// no storage, region or routing state: the ceiling a real store's BatchCommands can approach on this
/// machine with the same messages.
/// </summary>
internal static class NullTikvServer
{
    public static async Task<GrpcServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var value = ByteString.CopyFrom(new byte[16]);
        var server = new GrpcServer(new GrpcServerOptions());
        server.MapDuplexStreaming(TikvMethods.BatchCommands, async (requests, responses, context) =>
        {
            while (await requests.MoveNextAsync(context.CancellationToken))
            {
                var request = requests.Current;
                var response = new BatchCommandsResponse();
                response.RequestIds.Add(request.RequestIds);
                foreach (var sub in request.Requests)
                {
                    if (sub.CmdCase != BatchCommandsRequest.Types.Request.CmdOneofCase.RawGet)
                    {
                        throw new RpcException(StatusCode.Unimplemented, $"Only RawGet is served, not {sub.CmdCase}.");
                    }

                    response.Responses.Add(new BatchCommandsResponse.Types.Response { RawGet = new RawGetResponse { Value = value } });
                }

                await responses.WriteAsync(response, context.CancellationToken);
            }
        });
        await server.StartAsync("127.0.0.1", 0, cancellationToken);
        return server;
    }
}
