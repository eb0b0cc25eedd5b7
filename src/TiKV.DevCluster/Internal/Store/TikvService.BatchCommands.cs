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
/// its unary counterpart (region errors inside its own response, faults injected per sub-request). Sub-requests
/// that finish at once (the raw and transactional commands of the in-memory engine do) are answered without
/// leaving the reading loop: their answers are sent when the stream has no further request frame ready, so a
/// request frame gets one response frame, and request frames that arrived together share them. Sub-requests that
/// truly wait (a lock wait, an injected delay, a durable write) are answered when they finish. Either way a
/// response frame holds at most 128 answers (<c>GRPC_MSG_MAX_BATCH_SIZE</c>) with their request ids, and the
/// store's load in <c>transport_layer_load</c> (here: requests in flight on the store). A sub-request with a
/// mismatched cluster id fails the whole stream with INVALID_ARGUMENT, as in TiKV; sub-requests TiKV answers with
/// no response (KvGC, or a failure inside the handler) get none here either.
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
        var writer = WriteLateResponsesAsync(completed.Reader, responses, token);
        var pending = new List<Task>();
        string? clusterMismatch = null;
        try
        {
            // Answers accumulate while request frames keep arriving together, and go out (at most 128 per response
            // frame) as soon as the stream has nothing more to read at once.
            BatchCommandsResponse? answered = null;
            var next = requests.MoveNextAsync(token);
            while (true)
            {
                if (answered is not null && !next.IsCompleted)
                {
                    await WriteFrameAsync(responses, answered, token).ConfigureAwait(false);
                    answered = null;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

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

                    var task = HandleSubRequest(sub, token);
                    if (!task.IsCompletedSuccessfully)
                    {
                        pending.Add(CompleteLaterAsync(id, task, completed.Writer));
                    }
                    else if (task.Result is { } done)
                    {
                        answered ??= NewResponseFrame(count - i);
                        answered.Responses.Add(done);
                        answered.RequestIds.Add(id);
                        if (answered.Responses.Count == MaxResponsesPerBatch)
                        {
                            await WriteFrameAsync(responses, answered, token).ConfigureAwait(false);
                            answered = null;
                        }
                    }
                }

                if (pending.Count > 0)
                {
                    pending.RemoveAll(static t => t.IsCompleted);
                }

                if (clusterMismatch is not null)
                {
                    break;
                }

                next = requests.MoveNextAsync(token);
            }

            if (answered is not null)
            {
                await WriteFrameAsync(responses, answered, token).ConfigureAwait(false);
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

    /// <summary>A response frame with room for the answers still to come from the request frame.</summary>
    private static BatchCommandsResponse NewResponseFrame(int expected)
    {
        var frame = new BatchCommandsResponse();
        var capacity = Math.Min(expected, MaxResponsesPerBatch);
        frame.Responses.Capacity = capacity;
        frame.RequestIds.Capacity = capacity;
        return frame;
    }

    private ValueTask WriteFrameAsync(IServerStreamWriter<BatchCommandsResponse> responses, BatchCommandsResponse frame, CancellationToken cancellationToken)
    {
        frame.TransportLayerLoad = (ulong)Math.Max(0, _store.Metrics.InFlight);
        return responses.WriteAsync(frame, cancellationToken);
    }

    private static async Task CompleteLaterAsync(ulong id, ValueTask<SubResponse?> task, ChannelWriter<(ulong, SubResponse)> completed)
    {
        if (await task.ConfigureAwait(false) is { } response)
        {
            completed.TryWrite((id, response));
        }
    }

    /// <summary>Writes the answers of sub-requests that finished after their request frame was served.</summary>
    private async Task WriteLateResponsesAsync(
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

                await WriteFrameAsync(responses, batch, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            // The stream is gone (client cancelled, store stopped): remaining responses have nowhere to go.
            Log.BatchStreamFailed(_cluster.Logger, e, _store.Id);
        }
    }

    /// <summary>
    /// Runs one sub-request; null means TiKV sends no response for it. Completes synchronously when the command
    /// does; a failure inside the handler is logged and answered with nothing, as TiKV drops it.
    /// </summary>
    private ValueTask<SubResponse?> HandleSubRequest(SubRequest request, CancellationToken cancellationToken)
    {
        ValueTask<SubResponse?> task;
        try
        {
            task = DispatchSubRequest(request, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RequestFailed(_cluster.Logger, e, _store.Id, request.CmdCase.ToString());
            return default;
        }

        return task.IsCompletedSuccessfully ? task : GuardAsync(task, request.CmdCase);
    }

    private async ValueTask<SubResponse?> GuardAsync(ValueTask<SubResponse?> task, Cmd command)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RequestFailed(_cluster.Logger, e, _store.Id, command.ToString());
            return null;
        }
    }

    /// <summary>
    /// The unary handler of a sub-request's command. The handlers are static lambdas over the service, so the
    /// dispatch allocates no delegate per sub-request.
    /// </summary>
    private ValueTask<SubResponse?> DispatchSubRequest(SubRequest request, CancellationToken cancellationToken) => request.CmdCase switch
    {
        Cmd.Get => Run(TikvMethod.KvGet, request.Get, static (s, r, ct) => s.KvGetAsync(r, ct), static r => new SubResponse { Get = r }, cancellationToken),
        Cmd.Scan => Run(TikvMethod.KvScan, request.Scan, static (s, r, ct) => s.KvScanAsync(r, ct), static r => new SubResponse { Scan = r }, cancellationToken),
        Cmd.Prewrite => Run(TikvMethod.KvPrewrite, request.Prewrite, static (s, r, ct) => s.KvPrewriteAsync(r, ct), static r => new SubResponse { Prewrite = r }, cancellationToken),
        Cmd.Commit => Run(TikvMethod.KvCommit, request.Commit, static (s, r, ct) => s.KvCommitAsync(r, ct), static r => new SubResponse { Commit = r }, cancellationToken),
        Cmd.Cleanup => Run(TikvMethod.KvCleanup, request.Cleanup, static (s, r, ct) => s.KvCleanupAsync(r, ct), static r => new SubResponse { Cleanup = r }, cancellationToken),
        Cmd.BatchGet => Run(TikvMethod.KvBatchGet, request.BatchGet, static (s, r, ct) => s.KvBatchGetAsync(r, ct), static r => new SubResponse { BatchGet = r }, cancellationToken),
        Cmd.BatchRollback => Run(TikvMethod.KvBatchRollback, request.BatchRollback, static (s, r, ct) => s.KvBatchRollbackAsync(r, ct), static r => new SubResponse { BatchRollback = r }, cancellationToken),
        Cmd.ScanLock => Run(TikvMethod.KvScanLock, request.ScanLock, static (s, r, ct) => s.KvScanLockAsync(r, ct), static r => new SubResponse { ScanLock = r }, cancellationToken),
        Cmd.ResolveLock => Run(TikvMethod.KvResolveLock, request.ResolveLock, static (s, r, ct) => s.KvResolveLockAsync(r, ct), static r => new SubResponse { ResolveLock = r }, cancellationToken),
        Cmd.DeleteRange => Run(TikvMethod.KvDeleteRange, request.DeleteRange, static (s, r, ct) => s.KvDeleteRangeAsync(r, ct), static r => new SubResponse { DeleteRange = r }, cancellationToken),
        Cmd.RawGet => Run(TikvMethod.RawGet, request.RawGet, static (s, r, ct) => s.RawGetAsync(r, ct), static r => new SubResponse { RawGet = r }, cancellationToken),
        Cmd.RawBatchGet => Run(TikvMethod.RawBatchGet, request.RawBatchGet, static (s, r, ct) => s.RawBatchGetAsync(r, ct), static r => new SubResponse { RawBatchGet = r }, cancellationToken),
        Cmd.RawPut => Run(TikvMethod.RawPut, request.RawPut, static (s, r, ct) => s.RawPutAsync(r, ct), static r => new SubResponse { RawPut = r }, cancellationToken),
        Cmd.RawBatchPut => Run(TikvMethod.RawBatchPut, request.RawBatchPut, static (s, r, ct) => s.RawBatchPutAsync(r, ct), static r => new SubResponse { RawBatchPut = r }, cancellationToken),
        Cmd.RawDelete => Run(TikvMethod.RawDelete, request.RawDelete, static (s, r, ct) => s.RawDeleteAsync(r, ct), static r => new SubResponse { RawDelete = r }, cancellationToken),
        Cmd.RawBatchDelete => Run(TikvMethod.RawBatchDelete, request.RawBatchDelete, static (s, r, ct) => s.RawBatchDeleteAsync(r, ct), static r => new SubResponse { RawBatchDelete = r }, cancellationToken),
        Cmd.RawScan => Run(TikvMethod.RawScan, request.RawScan, static (s, r, ct) => s.RawScanAsync(r, ct), static r => new SubResponse { RawScan = r }, cancellationToken),
        Cmd.RawDeleteRange => Run(TikvMethod.RawDeleteRange, request.RawDeleteRange, static (s, r, ct) => s.RawDeleteRangeAsync(r, ct), static r => new SubResponse { RawDeleteRange = r }, cancellationToken),
        Cmd.RawBatchScan => Run(TikvMethod.RawBatchScan, request.RawBatchScan, static (s, r, ct) => s.RawBatchScanAsync(r, ct), static r => new SubResponse { RawBatchScan = r }, cancellationToken),
        Cmd.PessimisticLock => Run(TikvMethod.KvPessimisticLock, request.PessimisticLock, static (s, r, ct) => s.KvPessimisticLockAsync(r, ct), static r => new SubResponse { PessimisticLock = r }, cancellationToken),
        Cmd.PessimisticRollback => Run(TikvMethod.KVPessimisticRollback, request.PessimisticRollback, static (s, r, ct) => s.KvPessimisticRollbackAsync(r, ct), static r => new SubResponse { PessimisticRollback = r }, cancellationToken),
        Cmd.CheckTxnStatus => Run(TikvMethod.KvCheckTxnStatus, request.CheckTxnStatus, static (s, r, ct) => s.KvCheckTxnStatusAsync(r, ct), static r => new SubResponse { CheckTxnStatus = r }, cancellationToken),
        Cmd.TxnHeartBeat => Run(TikvMethod.KvTxnHeartBeat, request.TxnHeartBeat, static (s, r, ct) => s.KvTxnHeartBeatAsync(r, ct), static r => new SubResponse { TxnHeartBeat = r }, cancellationToken),
        Cmd.CheckSecondaryLocks => Run(TikvMethod.KvCheckSecondaryLocks, request.CheckSecondaryLocks, static (s, r, ct) => s.KvCheckSecondaryLocksAsync(r, ct), static r => new SubResponse { CheckSecondaryLocks = r }, cancellationToken),
        Cmd.GetHealthFeedback => Run(TikvMethod.GetHealthFeedback, request.GetHealthFeedback, static (s, r, ct) => s.GetHealthFeedbackAsync(r, ct), static r => new SubResponse { GetHealthFeedback = r }, cancellationToken),
        Cmd.Empty => new(new SubResponse { Empty = new BatchCommandsEmptyResponse { TestId = request.Empty.TestId } }),

        // KvGC answers UNIMPLEMENTED; inside a batch TiKV drops a failed sub-request's response.
        Cmd.GC => default,

        // TiKV answers a sub-request without a command with an empty response.
        _ => new(new SubResponse()),
    };

    private ValueTask<SubResponse?> Run<TRequest, TResponse>(
        TikvMethod method,
        TRequest request,
        Func<TikvService, TRequest, CancellationToken, ValueTask<TResponse>> handler,
        Func<TResponse, SubResponse> wrap,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        var execution = ExecuteAsync(method, request, handler, cancellationToken);
        if (!execution.IsCompletedSuccessfully)
        {
            return WrapLaterAsync(execution, wrap);
        }

        var (response, drop) = execution.Result;
        return new(drop ? null : wrap(response));
    }

    private static async ValueTask<SubResponse?> WrapLaterAsync<TResponse>(ValueTask<(TResponse Response, bool Drop)> execution, Func<TResponse, SubResponse> wrap)
    {
        var (response, drop) = await execution.ConfigureAwait(false);
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
