using TiKV.Client.Locate.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;

namespace TiKV.Client.Raw.Internal;

/// <summary>Wraps each raw kvrpcpb request into a <see cref="StoreRequest{TResponse}"/> the sender can route.</summary>
internal static class RawRequests
{
    public static StoreRequest<RawGetResponse> Get(RawGetRequest request) => new RawGetCommand(request);

    public static StoreRequest<RawBatchGetResponse> BatchGet(RawBatchGetRequest request) => StoreRequest<RawBatchGetResponse>.Batch(
        "RawBatchGet",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawBatchGet = request };
        },
        static r => r.RawBatchGet,
        static r => r.RegionError);

    // Raw writes are last-writer-wins: repeating one after an ambiguous failure leaves the same state,
    // so they are retried like client-go does.
    public static StoreRequest<RawPutResponse> Put(RawPutRequest request) => StoreRequest<RawPutResponse>.Batch(
        "RawPut",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawPut = request };
        },
        static r => r.RawPut,
        static r => r.RegionError);

    public static StoreRequest<RawBatchPutResponse> BatchPut(RawBatchPutRequest request) => StoreRequest<RawBatchPutResponse>.Batch(
        "RawBatchPut",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawBatchPut = request };
        },
        static r => r.RawBatchPut,
        static r => r.RegionError);

    public static StoreRequest<RawDeleteResponse> Delete(RawDeleteRequest request) => StoreRequest<RawDeleteResponse>.Batch(
        "RawDelete",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawDelete = request };
        },
        static r => r.RawDelete,
        static r => r.RegionError);

    public static StoreRequest<RawBatchDeleteResponse> BatchDelete(RawBatchDeleteRequest request) => StoreRequest<RawBatchDeleteResponse>.Batch(
        "RawBatchDelete",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawBatchDelete = request };
        },
        static r => r.RawBatchDelete,
        static r => r.RegionError);

    public static StoreRequest<RawDeleteRangeResponse> DeleteRange(RawDeleteRangeRequest request) => StoreRequest<RawDeleteRangeResponse>.Batch(
        "RawDeleteRange",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawDeleteRange = request };
        },
        static r => r.RawDeleteRange,
        static r => r.RegionError);

    public static StoreRequest<RawScanResponse> Scan(RawScanRequest request) => StoreRequest<RawScanResponse>.Batch(
        "RawScan",
        idempotent: true,
        context =>
        {
            request.Context = context;
            return new BatchRequest { RawScan = request };
        },
        static r => r.RawScan,
        static r => r.RegionError);

    public static StoreRequest<RawGetKeyTTLResponse> GetKeyTtl(RawGetKeyTTLRequest request) => StoreRequest<RawGetKeyTTLResponse>.Unary(
        "RawGetKeyTTL",
        idempotent: true,
        (transport, address, context, ct) =>
        {
            request.Context = context;
            return transport.UnaryAsync(address, TikvMethods.RawGetKeyTtl, request, ct);
        },
        static r => r.RegionError);

    // A CAS that may have been applied must not be sent again: the second attempt would compare against
    // the value the first one wrote and report a failure that did not happen (or swap twice).
    public static StoreRequest<RawCASResponse> CompareAndSwap(RawCASRequest request) => StoreRequest<RawCASResponse>.Unary(
        "RawCompareAndSwap",
        idempotent: false,
        (transport, address, context, ct) =>
        {
            request.Context = context;
            return transport.UnaryAsync(address, TikvMethods.RawCompareAndSwap, request, ct);
        },
        static r => r.RegionError);

    /// <summary>Raw responses report non-region failures as a plain string.</summary>
    public static void ThrowIfError(string error, string command)
    {
        if (!string.IsNullOrEmpty(error))
        {
            throw new TiKVException($"{command} failed: {error}", isRetryable: false);
        }
    }
}
