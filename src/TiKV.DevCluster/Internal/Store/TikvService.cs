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
    /// <summary>The <c>tikvpb.Tikv</c> service descriptor.</summary>
    public static readonly ServiceDescriptor Service = TikvpbReflection.Descriptor.Services.Single(s => s.Name == "Tikv");

    /// <summary>Method descriptors by name, built once for all stores (each lookup reflects over the message types).</summary>
    private static readonly ConcurrentDictionary<string, object> Methods = new(StringComparer.Ordinal);

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
        Map<GetRequest, GetResponse>(server, "KvGet", KvGetAsync);
        Map<ScanRequest, ScanResponse>(server, "KvScan", KvScanAsync);
        Map<PrewriteRequest, PrewriteResponse>(server, "KvPrewrite", KvPrewriteAsync);
        Map<PessimisticLockRequest, PessimisticLockResponse>(server, "KvPessimisticLock", KvPessimisticLockAsync);
        Map<PessimisticRollbackRequest, PessimisticRollbackResponse>(server, "KVPessimisticRollback", KvPessimisticRollbackAsync);
        Map<TxnHeartBeatRequest, TxnHeartBeatResponse>(server, "KvTxnHeartBeat", KvTxnHeartBeatAsync);
        Map<CheckTxnStatusRequest, CheckTxnStatusResponse>(server, "KvCheckTxnStatus", KvCheckTxnStatusAsync);
        Map<CheckSecondaryLocksRequest, CheckSecondaryLocksResponse>(server, "KvCheckSecondaryLocks", KvCheckSecondaryLocksAsync);
        Map<CommitRequest, CommitResponse>(server, "KvCommit", KvCommitAsync);
        Map<CleanupRequest, CleanupResponse>(server, "KvCleanup", KvCleanupAsync);
        Map<BatchGetRequest, BatchGetResponse>(server, "KvBatchGet", KvBatchGetAsync);
        Map<BatchRollbackRequest, BatchRollbackResponse>(server, "KvBatchRollback", KvBatchRollbackAsync);
        Map<ScanLockRequest, ScanLockResponse>(server, "KvScanLock", KvScanLockAsync);
        Map<ResolveLockRequest, ResolveLockResponse>(server, "KvResolveLock", KvResolveLockAsync);
        Map<GCRequest, GCResponse>(server, "KvGC", KvGcAsync);
        Map<DeleteRangeRequest, DeleteRangeResponse>(server, "KvDeleteRange", KvDeleteRangeAsync);
        Map<RawGetRequest, RawGetResponse>(server, "RawGet", RawGetAsync);
        Map<RawBatchGetRequest, RawBatchGetResponse>(server, "RawBatchGet", RawBatchGetAsync);
        Map<RawPutRequest, RawPutResponse>(server, "RawPut", RawPutAsync);
        Map<RawBatchPutRequest, RawBatchPutResponse>(server, "RawBatchPut", RawBatchPutAsync);
        Map<RawDeleteRequest, RawDeleteResponse>(server, "RawDelete", RawDeleteAsync);
        Map<RawBatchDeleteRequest, RawBatchDeleteResponse>(server, "RawBatchDelete", RawBatchDeleteAsync);
        Map<RawScanRequest, RawScanResponse>(server, "RawScan", RawScanAsync);
        Map<RawDeleteRangeRequest, RawDeleteRangeResponse>(server, "RawDeleteRange", RawDeleteRangeAsync);
        Map<RawBatchScanRequest, RawBatchScanResponse>(server, "RawBatchScan", RawBatchScanAsync);
        Map<RawGetKeyTTLRequest, RawGetKeyTTLResponse>(server, "RawGetKeyTTL", RawGetKeyTtlAsync);
        Map<RawCASRequest, RawCASResponse>(server, "RawCompareAndSwap", RawCompareAndSwapAsync);
        Map<RawChecksumRequest, RawChecksumResponse>(server, "RawChecksum", RawChecksumAsync);
        Map<UnsafeDestroyRangeRequest, UnsafeDestroyRangeResponse>(server, "UnsafeDestroyRange", UnsafeDestroyRangeAsync);
        Map<SplitRegionRequest, SplitRegionResponse>(server, "SplitRegion", SplitRegionAsync);
        Map<GetHealthFeedbackRequest, GetHealthFeedbackResponse>(server, "GetHealthFeedback", GetHealthFeedbackAsync);
        server.MapDuplexStreaming(
            GrpcMethod<BatchCommandsRequest, BatchCommandsResponse>.FromDescriptor(Service, "BatchCommands"),
            BatchCommandsAsync);
    }

    private void Map<TRequest, TResponse>(GrpcServer server, string name, Func<TRequest, CancellationToken, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        var method = (GrpcMethod<TRequest, TResponse>)Methods.GetOrAdd(name, static name => GrpcMethod<TRequest, TResponse>.FromDescriptor(Service, name));
        server.MapUnary(method, (request, context) => UnaryAsync(name, request, context, handler));
    }

    private async ValueTask<TResponse> UnaryAsync<TRequest, TResponse>(
        string name, TRequest request, ServerCallContext context, Func<TRequest, CancellationToken, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        if (ClusterIdMismatch(MessageFields<TRequest>.ContextOf(request)) is not null)
        {
            // TiKV rejects the whole call (reject_if_cluster_id_mismatch!).
            throw new RpcException(StatusCode.InvalidArgument, "the cluster id of the request does not match the TiKV cluster");
        }

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _store.LifeToken);
        var (response, drop) = await ExecuteAsync(name, request, handler, cancellation.Token).ConfigureAwait(false);
        if (drop)
        {
            // A lost response: the caller waits until its deadline or until it gives up.
            await Task.Delay(Timeout.InfiniteTimeSpan, _cluster.Time, cancellation.Token).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>
    /// Runs one request: counts it, applies an injected fault, runs the handler. Returns the response and whether
    /// it must be dropped.
    /// </summary>
    private async ValueTask<(TResponse Response, bool Drop)> ExecuteAsync<TRequest, TResponse>(
        string name, TRequest request, Func<TRequest, CancellationToken, ValueTask<TResponse>> handler, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        _store.Metrics.Request(name);
        using var inFlight = _store.Metrics.Begin();
        var fault = _cluster.Faults.Take(_store.Id, name);
        switch (fault?.Kind)
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
                    name,
                    MessageFields<TRequest>.ContextOf(request),
                    MessageFields<TRequest>.FirstKeyOf(request).Span,
                    request.CalculateSize());
                _store.Metrics.RegionError(KindOf(injected));
                return (MessageFields<TResponse>.WithRegionError(injected), false);
        }

        var response = await handler(request, cancellationToken).ConfigureAwait(false);
        if (MessageFields<TResponse>.RegionErrorOf(response) is { } regionError)
        {
            _store.Metrics.RegionError(KindOf(regionError));
        }

        return (response, fault?.Kind == FaultKind.DropResponse);
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
