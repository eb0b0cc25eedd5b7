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
            case BatchRequest.CmdOneofCase.Get:
                return new BatchResponse { Get = await channel.UnaryAsync(TikvMethods.KvGet, request.Get, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.BatchGet:
                return new BatchResponse { BatchGet = await channel.UnaryAsync(TikvMethods.KvBatchGet, request.BatchGet, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.Scan:
                return new BatchResponse { Scan = await channel.UnaryAsync(TikvMethods.KvScan, request.Scan, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.Prewrite:
                return new BatchResponse { Prewrite = await channel.UnaryAsync(TikvMethods.KvPrewrite, request.Prewrite, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.Commit:
                return new BatchResponse { Commit = await channel.UnaryAsync(TikvMethods.KvCommit, request.Commit, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.BatchRollback:
                return new BatchResponse { BatchRollback = await channel.UnaryAsync(TikvMethods.KvBatchRollback, request.BatchRollback, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.Cleanup:
                return new BatchResponse { Cleanup = await channel.UnaryAsync(TikvMethods.KvCleanup, request.Cleanup, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.PessimisticLock:
                return new BatchResponse { PessimisticLock = await channel.UnaryAsync(TikvMethods.KvPessimisticLock, request.PessimisticLock, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.PessimisticRollback:
                return new BatchResponse { PessimisticRollback = await channel.UnaryAsync(TikvMethods.KvPessimisticRollback, request.PessimisticRollback, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.TxnHeartBeat:
                return new BatchResponse { TxnHeartBeat = await channel.UnaryAsync(TikvMethods.KvTxnHeartBeat, request.TxnHeartBeat, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.CheckTxnStatus:
                return new BatchResponse { CheckTxnStatus = await channel.UnaryAsync(TikvMethods.KvCheckTxnStatus, request.CheckTxnStatus, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.CheckSecondaryLocks:
                return new BatchResponse { CheckSecondaryLocks = await channel.UnaryAsync(TikvMethods.KvCheckSecondaryLocks, request.CheckSecondaryLocks, options, cancellationToken).ConfigureAwait(false) };
            case BatchRequest.CmdOneofCase.ResolveLock:
                return new BatchResponse { ResolveLock = await channel.UnaryAsync(TikvMethods.KvResolveLock, request.ResolveLock, options, cancellationToken).ConfigureAwait(false) };
            default:
                throw new ArgumentException($"No unary mapping for BatchCommands request {request.CmdCase}.", nameof(request));
        }
    }
}
