using Google.Protobuf;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Rpc.Internal;

/// <summary>Call descriptors of the tikvpb.Tikv methods the client uses.</summary>
internal static class TikvMethods
{
    private const string Service = "tikvpb.Tikv";

    public static readonly GrpcMethod<BatchCommandsRequest, BatchCommandsResponse> BatchCommands =
        GrpcMethod<BatchCommandsRequest, BatchCommandsResponse>.Create(Service, "BatchCommands", MethodType.DuplexStreaming, BatchCommandsRequest.Parser, BatchCommandsResponse.Parser);

    public static readonly GrpcMethod<RawGetRequest, RawGetResponse> RawGet = Method<RawGetRequest, RawGetResponse>("RawGet");

    public static readonly GrpcMethod<RawBatchGetRequest, RawBatchGetResponse> RawBatchGet = Method<RawBatchGetRequest, RawBatchGetResponse>("RawBatchGet");

    public static readonly GrpcMethod<RawPutRequest, RawPutResponse> RawPut = Method<RawPutRequest, RawPutResponse>("RawPut");

    public static readonly GrpcMethod<RawBatchPutRequest, RawBatchPutResponse> RawBatchPut = Method<RawBatchPutRequest, RawBatchPutResponse>("RawBatchPut");

    public static readonly GrpcMethod<RawDeleteRequest, RawDeleteResponse> RawDelete = Method<RawDeleteRequest, RawDeleteResponse>("RawDelete");

    public static readonly GrpcMethod<RawBatchDeleteRequest, RawBatchDeleteResponse> RawBatchDelete = Method<RawBatchDeleteRequest, RawBatchDeleteResponse>("RawBatchDelete");

    public static readonly GrpcMethod<RawScanRequest, RawScanResponse> RawScan = Method<RawScanRequest, RawScanResponse>("RawScan");

    public static readonly GrpcMethod<RawDeleteRangeRequest, RawDeleteRangeResponse> RawDeleteRange = Method<RawDeleteRangeRequest, RawDeleteRangeResponse>("RawDeleteRange");

    public static readonly GrpcMethod<RawBatchScanRequest, RawBatchScanResponse> RawBatchScan = Method<RawBatchScanRequest, RawBatchScanResponse>("RawBatchScan");

    public static readonly GrpcMethod<RawGetKeyTTLRequest, RawGetKeyTTLResponse> RawGetKeyTtl = Method<RawGetKeyTTLRequest, RawGetKeyTTLResponse>("RawGetKeyTTL");

    public static readonly GrpcMethod<RawCASRequest, RawCASResponse> RawCompareAndSwap = Method<RawCASRequest, RawCASResponse>("RawCompareAndSwap");

    public static readonly GrpcMethod<GetRequest, GetResponse> KvGet = Method<GetRequest, GetResponse>("KvGet");

    public static readonly GrpcMethod<BatchGetRequest, BatchGetResponse> KvBatchGet = Method<BatchGetRequest, BatchGetResponse>("KvBatchGet");

    public static readonly GrpcMethod<ScanRequest, ScanResponse> KvScan = Method<ScanRequest, ScanResponse>("KvScan");

    public static readonly GrpcMethod<PrewriteRequest, PrewriteResponse> KvPrewrite = Method<PrewriteRequest, PrewriteResponse>("KvPrewrite");

    public static readonly GrpcMethod<CommitRequest, CommitResponse> KvCommit = Method<CommitRequest, CommitResponse>("KvCommit");

    public static readonly GrpcMethod<BatchRollbackRequest, BatchRollbackResponse> KvBatchRollback = Method<BatchRollbackRequest, BatchRollbackResponse>("KvBatchRollback");

    public static readonly GrpcMethod<CleanupRequest, CleanupResponse> KvCleanup = Method<CleanupRequest, CleanupResponse>("KvCleanup");

    public static readonly GrpcMethod<PessimisticLockRequest, PessimisticLockResponse> KvPessimisticLock = Method<PessimisticLockRequest, PessimisticLockResponse>("KvPessimisticLock");

    public static readonly GrpcMethod<PessimisticRollbackRequest, PessimisticRollbackResponse> KvPessimisticRollback = Method<PessimisticRollbackRequest, PessimisticRollbackResponse>("KVPessimisticRollback");

    public static readonly GrpcMethod<TxnHeartBeatRequest, TxnHeartBeatResponse> KvTxnHeartBeat = Method<TxnHeartBeatRequest, TxnHeartBeatResponse>("KvTxnHeartBeat");

    public static readonly GrpcMethod<CheckTxnStatusRequest, CheckTxnStatusResponse> KvCheckTxnStatus = Method<CheckTxnStatusRequest, CheckTxnStatusResponse>("KvCheckTxnStatus");

    public static readonly GrpcMethod<CheckSecondaryLocksRequest, CheckSecondaryLocksResponse> KvCheckSecondaryLocks = Method<CheckSecondaryLocksRequest, CheckSecondaryLocksResponse>("KvCheckSecondaryLocks");

    public static readonly GrpcMethod<ResolveLockRequest, ResolveLockResponse> KvResolveLock = Method<ResolveLockRequest, ResolveLockResponse>("KvResolveLock");

    // Built by name rather than from the file descriptor: loading tikvpb's descriptor (and every file it imports)
    // is a noticeable part of a client's start-up, and the names are fixed by kvproto.
    private static GrpcMethod<TRequest, TResponse> Method<TRequest, TResponse>(string name)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        GrpcMethod<TRequest, TResponse>.Create(Service, name, MethodType.Unary, new MessageParser<TRequest>(static () => new TRequest()), new MessageParser<TResponse>(static () => new TResponse()));
}
