using TiKV.Client.Locate.Internal;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Wraps each transactional kvrpcpb request into a <see cref="StoreRequest{TResponse}"/> for the request plan. Every
/// one of them is a BatchCommands sub-request. Reads carry the snapshot's resolved and committed locks in their
/// context, as client-go's ClientHelper does.
/// </summary>
internal static class TxnRequests
{
    public static StoreRequest<GetResponse> Get(GetRequest request, ReadLocks? locks) => Make(
        "KvGet",
        idempotent: true,
        context =>
        {
            request.Context = locks is null ? context : locks.ApplyTo(context);
            return new BatchRequest { Get = request };
        },
        static r => r.Get,
        static r => r.RegionError);

    public static StoreRequest<BatchGetResponse> BatchGet(BatchGetRequest request, ReadLocks? locks) => Make(
        "KvBatchGet",
        idempotent: true,
        context =>
        {
            request.Context = locks is null ? context : locks.ApplyTo(context);
            return new BatchRequest { BatchGet = request };
        },
        static r => r.BatchGet,
        static r => r.RegionError);

    public static StoreRequest<ScanResponse> Scan(ScanRequest request, ReadLocks? locks) => Make(
        "KvScan",
        idempotent: true,
        context =>
        {
            request.Context = locks is null ? context : locks.ApplyTo(context);
            return new BatchRequest { Scan = request };
        },
        static r => r.Scan,
        static r => r.RegionError);

    /// <summary>
    /// A prewrite may be repeated after an ambiguous failure (it is idempotent for its own locks) — unless it is
    /// the prewrite of an async-commit or 1PC transaction, whose success already commits it: client-go reports
    /// such a failure as an undetermined result.
    /// </summary>
    public static StoreRequest<PrewriteResponse> Prewrite(PrewriteRequest request, bool idempotent) => Make(
        "KvPrewrite",
        idempotent,
        context =>
        {
            request.Context = context;
            return new BatchRequest { Prewrite = request };
        },
        static r => r.Prewrite,
        static r => r.RegionError);

    /// <summary>The commit of the primary is the commit point: when its answer is lost, the outcome is unknown.</summary>
    public static StoreRequest<CommitResponse> Commit(CommitRequest request, bool idempotent) => Make(
        "KvCommit",
        idempotent,
        context =>
        {
            request.Context = context;
            return new BatchRequest { Commit = request };
        },
        static r => r.Commit,
        static r => r.RegionError);

    public static StoreRequest<BatchRollbackResponse> BatchRollback(BatchRollbackRequest request) => Make(
        "KvBatchRollback",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { BatchRollback = request };
        },
        static r => r.BatchRollback,
        static r => r.RegionError);

    public static StoreRequest<PessimisticLockResponse> PessimisticLock(PessimisticLockRequest request) => Make(
        "KvPessimisticLock",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { PessimisticLock = request };
        },
        static r => r.PessimisticLock,
        static r => r.RegionError);

    public static StoreRequest<PessimisticRollbackResponse> PessimisticRollback(PessimisticRollbackRequest request) => Make(
        "KvPessimisticRollback",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { PessimisticRollback = request };
        },
        static r => r.PessimisticRollback,
        static r => r.RegionError);

    public static StoreRequest<TxnHeartBeatResponse> TxnHeartBeat(TxnHeartBeatRequest request) => Make(
        "KvTxnHeartBeat",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { TxnHeartBeat = request };
        },
        static r => r.TxnHeartBeat,
        static r => r.RegionError);

    public static StoreRequest<CheckTxnStatusResponse> CheckTxnStatus(CheckTxnStatusRequest request) => Make(
        "KvCheckTxnStatus",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { CheckTxnStatus = request };
        },
        static r => r.CheckTxnStatus,
        static r => r.RegionError);

    public static StoreRequest<CheckSecondaryLocksResponse> CheckSecondaryLocks(CheckSecondaryLocksRequest request) => Make(
        "KvCheckSecondaryLocks",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { CheckSecondaryLocks = request };
        },
        static r => r.CheckSecondaryLocks,
        static r => r.RegionError);

    public static StoreRequest<ResolveLockResponse> ResolveLock(ResolveLockRequest request) => Make(
        "KvResolveLock",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { ResolveLock = request };
        },
        static r => r.ResolveLock,
        static r => r.RegionError);

    private static StoreRequest<TResponse> Make<TResponse>(
        string command,
        bool idempotent,
        Func<Context, BatchRequest> wrap,
        Func<BatchResponse, TResponse?> unwrap,
        Func<TResponse, Proto.Errorpb.Error?> regionError)
        where TResponse : class => StoreRequest<TResponse>.Batch(command, idempotent, wrap, unwrap, regionError);
}
