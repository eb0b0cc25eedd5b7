using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using TiKV.DevCluster.Internal.Faults;
using TiKV.Grpc;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The <c>tikvpb.Tikv</c> service of one store. Every request is checked the way TiKV checks it (cluster id,
/// context, region epoch, keys against the region) before it touches the cluster's shared data; faults injected
/// for this store apply per request and per BatchCommands sub-request.
/// </summary>
internal sealed partial class TikvService
{
    /// <summary>The fully-qualified gRPC service name.</summary>
    public const string ServiceName = "tikvpb.Tikv";

    /// <summary>
    /// The <c>tikvpb.Tikv</c> service descriptor, built on first use only: building kvproto's descriptors costs
    /// start-up over 100 ms, so serving uses <see cref="GrpcMethod{TRequest, TResponse}.Create"/> and only fault-rule
    /// validation reads the descriptor.
    /// </summary>
    public static ServiceDescriptor Service => TikvpbReflection.Descriptor.Services.Single(s => s.Name == "Tikv");

    /// <summary>The BatchCommands stream method.</summary>
    private static readonly GrpcMethod<BatchCommandsRequest, BatchCommandsResponse> BatchCommandsMethod = GrpcMethod<BatchCommandsRequest, BatchCommandsResponse>.Create(
        ServiceName, "BatchCommands", MethodType.DuplexStreaming, BatchCommandsRequest.Parser, BatchCommandsResponse.Parser);

    /// <summary>The unary methods by name, built once for all stores.</summary>
    private static readonly ConcurrentDictionary<string, object> Methods = new(StringComparer.Ordinal);

    /// <summary>Every method the stores serve (BatchCommands and the unary methods registered so far).</summary>
    internal static IReadOnlyList<object> MethodTable => [BatchCommandsMethod, .. Methods.Values];

    /// <summary>TiKV's default <c>raft-entry-max-size</c>: larger proposals fail with RaftEntryTooLarge.</summary>
    private const long RaftEntryMaxSize = 8 * 1024 * 1024;

    private readonly ClusterRuntime _cluster;
    private readonly StoreNode _store;

    /// <summary>Creates the service of <paramref name="store"/>.</summary>
    public TikvService(ClusterRuntime cluster, StoreNode store)
    {
        _cluster = cluster;
        _store = store;
    }

    /// <summary>Registers every method on <paramref name="server"/>.</summary>
    public void Register(GrpcServer server)
    {
        Map<GetRequest, GetResponse>(server, TikvMethod.KvGet, static (s, r, ct) => s.KvGetAsync(r, ct));
        Map<ScanRequest, ScanResponse>(server, TikvMethod.KvScan, static (s, r, ct) => s.KvScanAsync(r, ct));
        Map<PrewriteRequest, PrewriteResponse>(server, TikvMethod.KvPrewrite, static (s, r, ct) => s.KvPrewriteAsync(r, ct));
        Map<PessimisticLockRequest, PessimisticLockResponse>(server, TikvMethod.KvPessimisticLock, static (s, r, ct) => s.KvPessimisticLockAsync(r, ct));
        Map<PessimisticRollbackRequest, PessimisticRollbackResponse>(server, TikvMethod.KVPessimisticRollback, static (s, r, ct) => s.KvPessimisticRollbackAsync(r, ct));
        Map<TxnHeartBeatRequest, TxnHeartBeatResponse>(server, TikvMethod.KvTxnHeartBeat, static (s, r, ct) => s.KvTxnHeartBeatAsync(r, ct));
        Map<CheckTxnStatusRequest, CheckTxnStatusResponse>(server, TikvMethod.KvCheckTxnStatus, static (s, r, ct) => s.KvCheckTxnStatusAsync(r, ct));
        Map<CheckSecondaryLocksRequest, CheckSecondaryLocksResponse>(server, TikvMethod.KvCheckSecondaryLocks, static (s, r, ct) => s.KvCheckSecondaryLocksAsync(r, ct));
        Map<CommitRequest, CommitResponse>(server, TikvMethod.KvCommit, static (s, r, ct) => s.KvCommitAsync(r, ct));
        Map<CleanupRequest, CleanupResponse>(server, TikvMethod.KvCleanup, static (s, r, ct) => s.KvCleanupAsync(r, ct));
        Map<BatchGetRequest, BatchGetResponse>(server, TikvMethod.KvBatchGet, static (s, r, ct) => s.KvBatchGetAsync(r, ct));
        Map<BatchRollbackRequest, BatchRollbackResponse>(server, TikvMethod.KvBatchRollback, static (s, r, ct) => s.KvBatchRollbackAsync(r, ct));
        Map<ScanLockRequest, ScanLockResponse>(server, TikvMethod.KvScanLock, static (s, r, ct) => s.KvScanLockAsync(r, ct));
        Map<ResolveLockRequest, ResolveLockResponse>(server, TikvMethod.KvResolveLock, static (s, r, ct) => s.KvResolveLockAsync(r, ct));
        Map<GCRequest, GCResponse>(server, TikvMethod.KvGC, static (_, r, ct) => KvGcAsync(r, ct));
        Map<DeleteRangeRequest, DeleteRangeResponse>(server, TikvMethod.KvDeleteRange, static (s, r, ct) => s.KvDeleteRangeAsync(r, ct));
        Map<RawGetRequest, RawGetResponse>(server, TikvMethod.RawGet, static (s, r, ct) => s.RawGetAsync(r, ct));
        Map<RawBatchGetRequest, RawBatchGetResponse>(server, TikvMethod.RawBatchGet, static (s, r, ct) => s.RawBatchGetAsync(r, ct));
        Map<RawPutRequest, RawPutResponse>(server, TikvMethod.RawPut, static (s, r, ct) => s.RawPutAsync(r, ct));
        Map<RawBatchPutRequest, RawBatchPutResponse>(server, TikvMethod.RawBatchPut, static (s, r, ct) => s.RawBatchPutAsync(r, ct));
        Map<RawDeleteRequest, RawDeleteResponse>(server, TikvMethod.RawDelete, static (s, r, ct) => s.RawDeleteAsync(r, ct));
        Map<RawBatchDeleteRequest, RawBatchDeleteResponse>(server, TikvMethod.RawBatchDelete, static (s, r, ct) => s.RawBatchDeleteAsync(r, ct));
        Map<RawScanRequest, RawScanResponse>(server, TikvMethod.RawScan, static (s, r, ct) => s.RawScanAsync(r, ct));
        Map<RawDeleteRangeRequest, RawDeleteRangeResponse>(server, TikvMethod.RawDeleteRange, static (s, r, ct) => s.RawDeleteRangeAsync(r, ct));
        Map<RawBatchScanRequest, RawBatchScanResponse>(server, TikvMethod.RawBatchScan, static (s, r, ct) => s.RawBatchScanAsync(r, ct));
        Map<RawGetKeyTTLRequest, RawGetKeyTTLResponse>(server, TikvMethod.RawGetKeyTTL, static (s, r, ct) => s.RawGetKeyTtlAsync(r, ct));
        Map<RawCASRequest, RawCASResponse>(server, TikvMethod.RawCompareAndSwap, static (s, r, ct) => s.RawCompareAndSwapAsync(r, ct));
        Map<RawChecksumRequest, RawChecksumResponse>(server, TikvMethod.RawChecksum, static (s, r, ct) => s.RawChecksumAsync(r, ct));
        Map<UnsafeDestroyRangeRequest, UnsafeDestroyRangeResponse>(server, TikvMethod.UnsafeDestroyRange, static (s, r, ct) => s.UnsafeDestroyRangeAsync(r, ct));
        Map<SplitRegionRequest, SplitRegionResponse>(server, TikvMethod.SplitRegion, static (s, r, ct) => s.SplitRegionAsync(r, ct));
        Map<GetHealthFeedbackRequest, GetHealthFeedbackResponse>(server, TikvMethod.GetHealthFeedback, static (s, r, ct) => s.GetHealthFeedbackAsync(r, ct));
        server.MapDuplexStreaming(BatchCommandsMethod, BatchCommandsAsync);
    }

    private void Map<TRequest, TResponse>(GrpcServer server, TikvMethod method, Func<TikvService, TRequest, CancellationToken, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        var name = StoreMetrics.NameOf(method);
        var descriptor = (GrpcMethod<TRequest, TResponse>)Methods.GetOrAdd(
            name,
            static name => GrpcMethod<TRequest, TResponse>.Create(
                ServiceName, name, MethodType.Unary, new MessageParser<TRequest>(static () => new TRequest()), new MessageParser<TResponse>(static () => new TResponse())));
        server.MapUnary(descriptor, (request, context) => UnaryAsync(method, request, context, handler));
    }

    private async ValueTask<TResponse> UnaryAsync<TRequest, TResponse>(
        TikvMethod method, TRequest request, ServerCallContext context, Func<TikvService, TRequest, CancellationToken, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        if (ClusterIdMismatch(MessageFields<TRequest>.ContextOf(request)) is not null)
        {
            // TiKV rejects the whole call (reject_if_cluster_id_mismatch!).
            throw new RpcException(StatusCode.InvalidArgument, "the cluster id of the request does not match the TiKV cluster");
        }

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _store.LifeToken);
        var (response, drop) = await ExecuteAsync(method, request, handler, cancellation.Token).ConfigureAwait(false);
        if (drop)
        {
            // A lost response: the caller waits until its deadline or until it gives up.
            await Task.Delay(Timeout.InfiniteTimeSpan, _cluster.Time, cancellation.Token).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>
    /// Runs one request: counts it, applies an injected fault, runs the handler. Returns the response and whether
    /// it must be dropped. Without a fault, a handler that finishes synchronously (reads and writes of the in-memory
    /// engine do) finishes here synchronously too, with no state machine between it and the caller.
    /// </summary>
    private ValueTask<(TResponse Response, bool Drop)> ExecuteAsync<TRequest, TResponse>(
        TikvMethod method, TRequest request, Func<TikvService, TRequest, CancellationToken, ValueTask<TResponse>> handler, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        _store.Metrics.Request(method);
        if (_cluster.Faults.Take(_store.Id, StoreMetrics.NameOf(method)) is { } fault)
        {
            return ExecuteWithFaultAsync(method, request, handler, fault, cancellationToken);
        }

        // A handler that finishes before returning was never observable as in flight, so only one that is still
        // running when it returns is counted in the store's load.
        var running = handler(this, request, cancellationToken);
        if (!running.IsCompletedSuccessfully)
        {
            _store.Metrics.Begin();
            return FinishAsync(running);
        }

        var response = running.Result;
        CountRegionError(response);
        return new ValueTask<(TResponse, bool)>((response, false));
    }

    private async ValueTask<(TResponse Response, bool Drop)> FinishAsync<TResponse>(ValueTask<TResponse> running)
        where TResponse : IMessage<TResponse>, new()
    {
        TResponse response;
        try
        {
            response = await running.ConfigureAwait(false);
        }
        finally
        {
            _store.Metrics.End();
        }

        CountRegionError(response);
        return (response, false);
    }

    private async ValueTask<(TResponse Response, bool Drop)> ExecuteWithFaultAsync<TRequest, TResponse>(
        TikvMethod method,
        TRequest request,
        Func<TikvService, TRequest, CancellationToken, ValueTask<TResponse>> handler,
        FaultRule fault,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        _store.Metrics.Begin();
        try
        {
            switch (fault.Kind)
            {
                case FaultKind.ServerIsBusy:
                    _store.Metrics.RegionError("server_is_busy");
                    return (MessageFields<TResponse>.WithRegionError(RegionErrors.ServerIsBusy("server is busy (injected fault)")), false);
                case FaultKind.Delay:
                    await Task.Delay(fault.Delay, _cluster.Time, cancellationToken).ConfigureAwait(false);
                    break;
                case FaultKind.RegionError:
                    var injected = InjectedRegionErrors.Build(
                        fault.RegionError,
                        _cluster,
                        _store,
                        StoreMetrics.NameOf(method),
                        MessageFields<TRequest>.ContextOf(request),
                        MessageFields<TRequest>.FirstKeyOf(request).Span,
                        request.CalculateSize());
                    _store.Metrics.RegionError(KindOf(injected));
                    return (MessageFields<TResponse>.WithRegionError(injected), false);
            }

            var response = await handler(this, request, cancellationToken).ConfigureAwait(false);
            CountRegionError(response);
            return (response, fault.Kind == FaultKind.DropResponse);
        }
        finally
        {
            _store.Metrics.End();
        }
    }

    private void CountRegionError<TResponse>(TResponse response)
        where TResponse : IMessage<TResponse>, new()
    {
        if (MessageFields<TResponse>.RegionErrorOf(response) is { } regionError)
        {
            _store.Metrics.RegionError(KindOf(regionError));
        }
    }

    /// <summary>The cluster-id mismatch message when the context names another cluster (0 means unspecified).</summary>
    private string? ClusterIdMismatch(Context? context)
    {
        var requested = context?.ClusterId ?? 0;
        return requested != 0 && requested != _cluster.ClusterId
            ? $"cluster of request={requested} does not match TiKV cluster id={_cluster.ClusterId}"
            : null;
    }

    private static string KindOf(Error error) => error switch
    {
        { NotLeader: not null } => "not_leader",
        { RegionNotFound: not null } => "region_not_found",
        { KeyNotInRegion: not null } => "key_not_in_region",
        { EpochNotMatch: not null } => "epoch_not_match",
        { ServerIsBusy: not null } => "server_is_busy",
        { StaleCommand: not null } => "stale_command",
        { StoreNotMatch: not null } => "store_not_match",
        { RaftEntryTooLarge: not null } => "raft_entry_too_large",
        { MismatchPeerId: not null } => "mismatch_peer_id",
        { MaxTimestampNotSynced: not null } => "max_timestamp_not_synced",
        { ReadIndexNotReady: not null } => "read_index_not_ready",
        { ProposalInMergingMode: not null } => "proposal_in_merging_mode",
        { DataIsNotReady: not null } => "data_is_not_ready",
        { RegionNotInitialized: not null } => "region_not_initialized",
        { DiskFull: not null } => "disk_full",
        _ => "other",
    };
}
