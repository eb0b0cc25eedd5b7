using TiKV.Grpc;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Rpc.Internal;

/// <summary>
/// Sends a BatchCommands sub-request as the equivalent unary call, so the request plan speaks one
/// request type whether batching is on or off.
/// </summary>
internal static class UnaryDispatcher
{
    public static async Task<BatchResponse> CallAsync(GrpcChannel channel, BatchRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        switch (request.CmdCase)
        {
            case BatchRequest.CmdOneofCase.RawGet:
                return new BatchResponse { RawGet = await channel.UnaryAsync(TikvMethods.RawGet, request.RawGet, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawBatchGet:
                return new BatchResponse { RawBatchGet = await channel.UnaryAsync(TikvMethods.RawBatchGet, request.RawBatchGet, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawPut:
                return new BatchResponse { RawPut = await channel.UnaryAsync(TikvMethods.RawPut, request.RawPut, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawBatchPut:
                return new BatchResponse { RawBatchPut = await channel.UnaryAsync(TikvMethods.RawBatchPut, request.RawBatchPut, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawDelete:
                return new BatchResponse { RawDelete = await channel.UnaryAsync(TikvMethods.RawDelete, request.RawDelete, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawBatchDelete:
                return new BatchResponse { RawBatchDelete = await channel.UnaryAsync(TikvMethods.RawBatchDelete, request.RawBatchDelete, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawScan:
                return new BatchResponse { RawScan = await channel.UnaryAsync(TikvMethods.RawScan, request.RawScan, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawDeleteRange:
                return new BatchResponse { RawDeleteRange = await channel.UnaryAsync(TikvMethods.RawDeleteRange, request.RawDeleteRange, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.RawBatchScan:
                return new BatchResponse { RawBatchScan = await channel.UnaryAsync(TikvMethods.RawBatchScan, request.RawBatchScan, options, cancellationToken).ConfigureAwait(false) };
            default:
                throw new ArgumentException($"No unary mapping for BatchCommands request {request.CmdCase}.", nameof(request));
        }
    }
}
