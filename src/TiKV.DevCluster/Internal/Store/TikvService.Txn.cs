using Google.Protobuf;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Internal.Regions;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The transactional API. Keys are checked in their memcomparable encoding against the region, as TiKV's
/// <c>Key::from_raw</c> keys are. A key outside the region fails the command's snapshot read, which TiKV reports as
/// a key error (<c>abort</c>); seeks of scans and apply-time range checks report KeyNotInRegion.
/// </summary>
internal sealed partial class TikvService
{
    private async ValueTask<GetResponse> KvGetAsync(GetRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "get", raw: false) is { } apiError)
        {
            return new GetResponse { Error = Abort(apiError) };
        }

        if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            return new GetResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, [request.Key]) is { } keyError)
        {
            return new GetResponse { Error = keyError };
        }

        return await _cluster.Txn.GetAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<BatchGetResponse> KvBatchGetAsync(BatchGetRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "batch_get", raw: false) is { } apiError)
        {
            return new BatchGetResponse { Error = Abort(apiError) };
        }

        if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            return new BatchGetResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, request.Keys) is { } keyError)
        {
            return new BatchGetResponse { Error = keyError };
        }

        return await _cluster.Txn.BatchGetAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ScanResponse> KvScanAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "scan", raw: false) is { } apiError)
        {
            return new ScanResponse { Error = Abort(apiError) };
        }

        if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            return new ScanResponse { RegionError = regionError };
        }

        if (CheckSeek(region, KeyCodec.Encode(request.StartKey.Span)) is { } seekError)
        {
            return new ScanResponse { RegionError = seekError };
        }

        return await _cluster.Txn.ScanAsync(request, KeyCodec.DecodeBound(region.StartKey), KeyCodec.DecodeBound(region.EndKey), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PrewriteResponse> KvPrewriteAsync(PrewriteRequest request, CancellationToken cancellationToken)
    {
        var response = new PrewriteResponse();
        if (CheckApiVersionDebug(request.Context, "prewrite", raw: false) is { } apiError)
        {
            response.Errors.Add(Abort(apiError));
            return response;
        }

        var size = request.Mutations.Sum(m => (long)m.Key.Length + m.Value.Length);
        if (RejectTxnWrite(request.Context, size, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        if (OutOfRegion(region, request.Mutations.Select(m => m.Key)) is { } keyError)
        {
            response.Errors.Add(keyError);
            return response;
        }

        response = await _cluster.Txn.PrewriteAsync(request, cancellationToken).ConfigureAwait(false);
        _cluster.SplitChecker.OnWrite(region.Id, request.Mutations.Count, size);
        return response;
    }

    private async ValueTask<CommitResponse> KvCommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "commit", raw: false) is { } apiError)
        {
            return new CommitResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new CommitResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, request.Keys) is { } keyError)
        {
            return new CommitResponse { Error = keyError };
        }

        var response = await _cluster.Txn.CommitAsync(request, cancellationToken).ConfigureAwait(false);
        _cluster.SplitChecker.OnWrite(region.Id, request.Keys.Count, request.Keys.Sum(k => (long)k.Length));
        return response;
    }

    private async ValueTask<CleanupResponse> KvCleanupAsync(CleanupRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "cleanup", raw: false) is { } apiError)
        {
            return new CleanupResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new CleanupResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, [request.Key]) is { } keyError)
        {
            return new CleanupResponse { Error = keyError };
        }

        return await _cluster.Txn.CleanupAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<BatchRollbackResponse> KvBatchRollbackAsync(BatchRollbackRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "batch_rollback", raw: false) is { } apiError)
        {
            return new BatchRollbackResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new BatchRollbackResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, request.Keys) is { } keyError)
        {
            return new BatchRollbackResponse { Error = keyError };
        }

        return await _cluster.Txn.BatchRollbackAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<TxnHeartBeatResponse> KvTxnHeartBeatAsync(TxnHeartBeatRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "txn_heart_beat", raw: false) is { } apiError)
        {
            return new TxnHeartBeatResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new TxnHeartBeatResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, [request.PrimaryLock]) is { } keyError)
        {
            return new TxnHeartBeatResponse { Error = keyError };
        }

        return await _cluster.Txn.TxnHeartBeatAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CheckTxnStatusResponse> KvCheckTxnStatusAsync(CheckTxnStatusRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "check_txn_status", raw: false) is { } apiError)
        {
            return new CheckTxnStatusResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new CheckTxnStatusResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, [request.PrimaryKey]) is { } keyError)
        {
            return new CheckTxnStatusResponse { Error = keyError };
        }

        return await _cluster.Txn.CheckTxnStatusAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CheckSecondaryLocksResponse> KvCheckSecondaryLocksAsync(CheckSecondaryLocksRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "check_secondary_locks", raw: false) is { } apiError)
        {
            return new CheckSecondaryLocksResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new CheckSecondaryLocksResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, request.Keys) is { } keyError)
        {
            return new CheckSecondaryLocksResponse { Error = keyError };
        }

        return await _cluster.Txn.CheckSecondaryLocksAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ScanLockResponse> KvScanLockAsync(ScanLockRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "scan_lock", raw: false) is { } apiError)
        {
            return new ScanLockResponse { Error = Abort(apiError) };
        }

        if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            return new ScanLockResponse { RegionError = regionError };
        }

        if (CheckSeek(region, KeyCodec.Encode(request.StartKey.Span)) is { } seekError)
        {
            return new ScanLockResponse { RegionError = seekError };
        }

        return await _cluster.Txn.ScanLockAsync(request, KeyCodec.DecodeBound(region.StartKey), KeyCodec.DecodeBound(region.EndKey), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ResolveLockResponse> KvResolveLockAsync(ResolveLockRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersionDebug(request.Context, "resolve_lock", raw: false) is { } apiError)
        {
            return new ResolveLockResponse { Error = Abort(apiError) };
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            return new ResolveLockResponse { RegionError = regionError };
        }

        if (OutOfRegion(region, request.Keys) is { } keyError)
        {
            return new ResolveLockResponse { Error = keyError };
        }

        return await _cluster.Txn.ResolveLockAsync(request, KeyCodec.DecodeBound(region.StartKey), KeyCodec.DecodeBound(region.EndKey), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PessimisticLockResponse> KvPessimisticLockAsync(PessimisticLockRequest request, CancellationToken cancellationToken)
    {
        var response = new PessimisticLockResponse();
        if (CheckApiVersionDebug(request.Context, "acquire_pessimistic_lock", raw: false) is { } apiError)
        {
            response.Errors.Add(Abort(apiError));
            return response;
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        if (OutOfRegion(region, request.Mutations.Select(m => m.Key)) is { } keyError)
        {
            response.Errors.Add(keyError);
            return response;
        }

        return await _cluster.Txn.PessimisticLockAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PessimisticRollbackResponse> KvPessimisticRollbackAsync(PessimisticRollbackRequest request, CancellationToken cancellationToken)
    {
        var response = new PessimisticRollbackResponse();
        if (CheckApiVersionDebug(request.Context, "pessimistic_rollback", raw: false) is { } apiError)
        {
            response.Errors.Add(Abort(apiError));
            return response;
        }

        if (RejectTxnWrite(request.Context, 0, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        if (OutOfRegion(region, request.Keys) is { } keyError)
        {
            response.Errors.Add(keyError);
            return response;
        }

        return await _cluster.Txn.PessimisticRollbackAsync(request, KeyCodec.DecodeBound(region.StartKey), KeyCodec.DecodeBound(region.EndKey), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<DeleteRangeResponse> KvDeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken)
    {
        if (CheckApiVersion(request.Context, "delete_range", raw: false) is { } apiError)
        {
            return new DeleteRangeResponse { Error = apiError };
        }

        if (RejectContext(request.Context, readOnly: false, out var region, out var regionError))
        {
            return new DeleteRangeResponse { RegionError = regionError };
        }

        var start = KeyCodec.Encode(request.StartKey.Span);
        var end = KeyCodec.Encode(request.EndKey.Span);
        if (CheckDeleteRange(region, start, end) is { } rangeError)
        {
            return new DeleteRangeResponse { RegionError = rangeError };
        }

        return await _cluster.Txn.DeleteRangeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>TiKV no longer serves KvGC (GC runs from PD's safe point); it answers UNIMPLEMENTED.</summary>
    private static ValueTask<GCResponse> KvGcAsync(GCRequest request, CancellationToken cancellationToken) =>
        throw new RpcException(StatusCode.Unimplemented, "");

    /// <summary>The context check of a transactional write plus the raft entry size limit.</summary>
    private bool RejectTxnWrite(
        Context? context,
        long entrySize,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out RegionState? region,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Proto.Errorpb.Error? error) =>
        RejectWrite(context, [], entrySize, out region, out error);

    /// <summary>The key error a command reports when one of its keys lies outside the region, or null.</summary>
    private static KeyError? OutOfRegion(RegionState region, IEnumerable<ByteString> keys)
    {
        foreach (var key in keys)
        {
            var encoded = KeyCodec.Encode(key.Span);
            if (!region.Contains(encoded))
            {
                return Abort(RegionErrors.KeyOutOfRangeMessage(encoded, region));
            }
        }

        return null;
    }

    private static KeyError Abort(string message) => new() { Abort = message };
}
