using System.Threading.Channels;
using Google.Protobuf;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;
using Cmd = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request.CmdOneofCase;
using SubRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using SubResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// TiKV's BatchCommands: a bidi stream whose requests carry many sub-requests with ids. Each sub-request runs like
/// its unary counterpart (region errors inside its own response), concurrently; finished responses are collected
/// into batches of up to 128 (<c>GRPC_MSG_MAX_BATCH_SIZE</c>) with their request ids and the store's load in
/// <c>transport_layer_load</c> (here: requests in flight on the store). A sub-request with a mismatched cluster id
/// fails the whole stream with INVALID_ARGUMENT, as in TiKV; sub-requests TiKV answers with no response (KvGC, or
/// a failure inside the handler) get none here either.
/// </summary>
internal sealed partial class TikvService
{
    private const int MaxResponsesPerBatch = 128;

    private async Task BatchCommandsAsync(
        IAsyncStreamReader<BatchCommandsRequest> requests, IServerStreamWriter<BatchCommandsResponse> responses, ServerCallContext context)
    {
        _store.Metrics.BatchStreamOpened();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _store.LifeToken);
        var token = cancellation.Token;
        var completed = Channel.CreateUnbounded<(ulong Id, SubResponse Response)>(new UnboundedChannelOptions { SingleReader = true });
        var writer = WriteResponsesAsync(completed.Reader, responses, token);
        var pending = new List<Task>();
        string? clusterMismatch = null;
        try
        {
            while (await requests.MoveNextAsync(token).ConfigureAwait(false))
            {
                var batch = requests.Current;
                var count = Math.Min(batch.Requests.Count, batch.RequestIds.Count);
                for (var i = 0; i < count; i++)
                {
                    var sub = batch.Requests[i];
                    var id = batch.RequestIds[i];
                    clusterMismatch = ClusterIdMismatch(ContextOf(sub));
                    if (clusterMismatch is not null)
                    {
                        break;
                    }

                    var task = HandleSubRequestAsync(sub, token);
                    if (task.IsCompletedSuccessfully)
                    {
                        if (task.Result is { } done)
                        {
                            completed.Writer.TryWrite((id, done));
                        }
                    }
                    else
                    {
                        pending.Add(CompleteLaterAsync(id, task, completed.Writer));
                    }
                }

                pending.RemoveAll(t => t.IsCompleted);
                if (clusterMismatch is not null)
                {
                    break;
                }
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        finally
        {
            completed.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }

        if (clusterMismatch is not null)
        {
            throw new RpcException(StatusCode.InvalidArgument, clusterMismatch);
        }
    }

    private static async Task CompleteLaterAsync(ulong id, ValueTask<SubResponse?> task, ChannelWriter<(ulong, SubResponse)> completed)
    {
        if (await task.ConfigureAwait(false) is { } response)
        {
            completed.TryWrite((id, response));
        }
    }

    private async Task WriteResponsesAsync(
        ChannelReader<(ulong Id, SubResponse Response)> completed, IServerStreamWriter<BatchCommandsResponse> responses, CancellationToken cancellationToken)
    {
        try
        {
            while (await completed.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var batch = new BatchCommandsResponse();
                while (batch.Responses.Count < MaxResponsesPerBatch && completed.TryRead(out var item))
                {
                    batch.Responses.Add(item.Response);
                    batch.RequestIds.Add(item.Id);
                }

                if (batch.Responses.Count == 0)
                {
                    continue;
                }

                batch.TransportLayerLoad = (ulong)Math.Max(0, _store.Metrics.InFlight);
                await responses.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            // The stream is gone (client cancelled, store stopped): remaining responses have nowhere to go.
            Log.BatchStreamFailed(_cluster.Logger, e, _store.Id);
        }
    }

    /// <summary>Runs one sub-request; null means TiKV sends no response for it.</summary>
    private async ValueTask<SubResponse?> HandleSubRequestAsync(SubRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return request.CmdCase switch
            {
                Cmd.Get => await RunAsync("KvGet", request.Get, KvGetAsync, r => new SubResponse { Get = r }, cancellationToken).ConfigureAwait(false),
                Cmd.Scan => await RunAsync("KvScan", request.Scan, KvScanAsync, r => new SubResponse { Scan = r }, cancellationToken).ConfigureAwait(false),
                Cmd.Prewrite => await RunAsync("KvPrewrite", request.Prewrite, KvPrewriteAsync, r => new SubResponse { Prewrite = r }, cancellationToken).ConfigureAwait(false),
                Cmd.Commit => await RunAsync("KvCommit", request.Commit, KvCommitAsync, r => new SubResponse { Commit = r }, cancellationToken).ConfigureAwait(false),
                Cmd.Cleanup => await RunAsync("KvCleanup", request.Cleanup, KvCleanupAsync, r => new SubResponse { Cleanup = r }, cancellationToken).ConfigureAwait(false),
                Cmd.BatchGet => await RunAsync("KvBatchGet", request.BatchGet, KvBatchGetAsync, r => new SubResponse { BatchGet = r }, cancellationToken).ConfigureAwait(false),
                Cmd.BatchRollback => await RunAsync("KvBatchRollback", request.BatchRollback, KvBatchRollbackAsync, r => new SubResponse { BatchRollback = r }, cancellationToken).ConfigureAwait(false),
                Cmd.ScanLock => await RunAsync("KvScanLock", request.ScanLock, KvScanLockAsync, r => new SubResponse { ScanLock = r }, cancellationToken).ConfigureAwait(false),
                Cmd.ResolveLock => await RunAsync("KvResolveLock", request.ResolveLock, KvResolveLockAsync, r => new SubResponse { ResolveLock = r }, cancellationToken).ConfigureAwait(false),
                Cmd.DeleteRange => await RunAsync("KvDeleteRange", request.DeleteRange, KvDeleteRangeAsync, r => new SubResponse { DeleteRange = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawGet => await RunAsync("RawGet", request.RawGet, RawGetAsync, r => new SubResponse { RawGet = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawBatchGet => await RunAsync("RawBatchGet", request.RawBatchGet, RawBatchGetAsync, r => new SubResponse { RawBatchGet = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawPut => await RunAsync("RawPut", request.RawPut, RawPutAsync, r => new SubResponse { RawPut = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawBatchPut => await RunAsync("RawBatchPut", request.RawBatchPut, RawBatchPutAsync, r => new SubResponse { RawBatchPut = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawDelete => await RunAsync("RawDelete", request.RawDelete, RawDeleteAsync, r => new SubResponse { RawDelete = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawBatchDelete => await RunAsync("RawBatchDelete", request.RawBatchDelete, RawBatchDeleteAsync, r => new SubResponse { RawBatchDelete = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawScan => await RunAsync("RawScan", request.RawScan, RawScanAsync, r => new SubResponse { RawScan = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawDeleteRange => await RunAsync("RawDeleteRange", request.RawDeleteRange, RawDeleteRangeAsync, r => new SubResponse { RawDeleteRange = r }, cancellationToken).ConfigureAwait(false),
                Cmd.RawBatchScan => await RunAsync("RawBatchScan", request.RawBatchScan, RawBatchScanAsync, r => new SubResponse { RawBatchScan = r }, cancellationToken).ConfigureAwait(false),
                Cmd.PessimisticLock => await RunAsync("KvPessimisticLock", request.PessimisticLock, KvPessimisticLockAsync, r => new SubResponse { PessimisticLock = r }, cancellationToken).ConfigureAwait(false),
                Cmd.PessimisticRollback => await RunAsync("KVPessimisticRollback", request.PessimisticRollback, KvPessimisticRollbackAsync, r => new SubResponse { PessimisticRollback = r }, cancellationToken).ConfigureAwait(false),
                Cmd.CheckTxnStatus => await RunAsync("KvCheckTxnStatus", request.CheckTxnStatus, KvCheckTxnStatusAsync, r => new SubResponse { CheckTxnStatus = r }, cancellationToken).ConfigureAwait(false),
                Cmd.TxnHeartBeat => await RunAsync("KvTxnHeartBeat", request.TxnHeartBeat, KvTxnHeartBeatAsync, r => new SubResponse { TxnHeartBeat = r }, cancellationToken).ConfigureAwait(false),
                Cmd.CheckSecondaryLocks => await RunAsync("KvCheckSecondaryLocks", request.CheckSecondaryLocks, KvCheckSecondaryLocksAsync, r => new SubResponse { CheckSecondaryLocks = r }, cancellationToken).ConfigureAwait(false),
                Cmd.GetHealthFeedback => await RunAsync("GetHealthFeedback", request.GetHealthFeedback, GetHealthFeedbackAsync, r => new SubResponse { GetHealthFeedback = r }, cancellationToken).ConfigureAwait(false),
                Cmd.Empty => new SubResponse { Empty = new BatchCommandsEmptyResponse { TestId = request.Empty.TestId } },

                // KvGC answers UNIMPLEMENTED; inside a batch TiKV drops a failed sub-request's response.
                Cmd.GC => null,

                // TiKV answers a sub-request without a command with an empty response.
                _ => new SubResponse(),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RequestFailed(_cluster.Logger, e, _store.Id, request.CmdCase.ToString());
            return null;
        }
    }

    private async ValueTask<SubResponse?> RunAsync<TRequest, TResponse>(
        string name,
        TRequest request,
        Func<TRequest, CancellationToken, ValueTask<TResponse>> handler,
        Func<TResponse, SubResponse> wrap,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        var (response, drop) = await ExecuteAsync(name, request, handler, cancellationToken).ConfigureAwait(false);
        return drop ? null : wrap(response);
    }

    private static Context? ContextOf(SubRequest request) => request.CmdCase switch
    {
        Cmd.Get => request.Get.Context,
        Cmd.Scan => request.Scan.Context,
        Cmd.Prewrite => request.Prewrite.Context,
        Cmd.Commit => request.Commit.Context,
        Cmd.Cleanup => request.Cleanup.Context,
        Cmd.BatchGet => request.BatchGet.Context,
        Cmd.BatchRollback => request.BatchRollback.Context,
        Cmd.ScanLock => request.ScanLock.Context,
        Cmd.ResolveLock => request.ResolveLock.Context,
        Cmd.GC => request.GC.Context,
        Cmd.DeleteRange => request.DeleteRange.Context,
        Cmd.RawGet => request.RawGet.Context,
        Cmd.RawBatchGet => request.RawBatchGet.Context,
        Cmd.RawPut => request.RawPut.Context,
        Cmd.RawBatchPut => request.RawBatchPut.Context,
        Cmd.RawDelete => request.RawDelete.Context,
        Cmd.RawBatchDelete => request.RawBatchDelete.Context,
        Cmd.RawScan => request.RawScan.Context,
        Cmd.RawDeleteRange => request.RawDeleteRange.Context,
        Cmd.RawBatchScan => request.RawBatchScan.Context,
        Cmd.PessimisticLock => request.PessimisticLock.Context,
        Cmd.PessimisticRollback => request.PessimisticRollback.Context,
        Cmd.CheckTxnStatus => request.CheckTxnStatus.Context,
        Cmd.TxnHeartBeat => request.TxnHeartBeat.Context,
        Cmd.CheckSecondaryLocks => request.CheckSecondaryLocks.Context,
        Cmd.GetHealthFeedback => request.GetHealthFeedback.Context,
        _ => null,
    };
}
