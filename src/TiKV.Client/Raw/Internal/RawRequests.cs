using TiKV.Client.Locate.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Raw.Internal;

/// <summary>Wraps each raw kvrpcpb request into a <see cref="StoreRequest{TResponse}"/> the sender can route.</summary>
internal static class RawRequests
{
    public static StoreRequest<RawGetResponse> Get(RawGetRequest request) => new(
        "RawGet",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawGet = request }, ct).ConfigureAwait(false);
            return response.RawGet ?? throw Mismatch(address, "RawGet", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawBatchGetResponse> BatchGet(RawBatchGetRequest request) => new(
        "RawBatchGet",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawBatchGet = request }, ct).ConfigureAwait(false);
            return response.RawBatchGet ?? throw Mismatch(address, "RawBatchGet", response);
        },
        static r => r.RegionError);

    // Raw writes are last-writer-wins: repeating one after an ambiguous failure leaves the same state,
    // so they are retried like client-go does.
    public static StoreRequest<RawPutResponse> Put(RawPutRequest request) => new(
        "RawPut",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawPut = request }, ct).ConfigureAwait(false);
            return response.RawPut ?? throw Mismatch(address, "RawPut", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawBatchPutResponse> BatchPut(RawBatchPutRequest request) => new(
        "RawBatchPut",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawBatchPut = request }, ct).ConfigureAwait(false);
            return response.RawBatchPut ?? throw Mismatch(address, "RawBatchPut", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawDeleteResponse> Delete(RawDeleteRequest request) => new(
        "RawDelete",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawDelete = request }, ct).ConfigureAwait(false);
            return response.RawDelete ?? throw Mismatch(address, "RawDelete", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawBatchDeleteResponse> BatchDelete(RawBatchDeleteRequest request) => new(
        "RawBatchDelete",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawBatchDelete = request }, ct).ConfigureAwait(false);
            return response.RawBatchDelete ?? throw Mismatch(address, "RawBatchDelete", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawDeleteRangeResponse> DeleteRange(RawDeleteRangeRequest request) => new(
        "RawDeleteRange",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawDeleteRange = request }, ct).ConfigureAwait(false);
            return response.RawDeleteRange ?? throw Mismatch(address, "RawDeleteRange", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawScanResponse> Scan(RawScanRequest request) => new(
        "RawScan",
        Idempotent: true,
        async (transport, address, context, ct) =>
        {
            request.Context = context;
            var response = await transport.SendAsync(address, new BatchRequest { RawScan = request }, ct).ConfigureAwait(false);
            return response.RawScan ?? throw Mismatch(address, "RawScan", response);
        },
        static r => r.RegionError);

    public static StoreRequest<RawGetKeyTTLResponse> GetKeyTtl(RawGetKeyTTLRequest request) => new(
        "RawGetKeyTTL",
        Idempotent: true,
        (transport, address, context, ct) =>
        {
            request.Context = context;
            return transport.UnaryAsync(address, TikvMethods.RawGetKeyTtl, request, ct);
        },
        static r => r.RegionError);

    // A CAS that may have been applied must not be sent again: the second attempt would compare against
    // the value the first one wrote and report a failure that did not happen (or swap twice).
    public static StoreRequest<RawCASResponse> CompareAndSwap(RawCASRequest request) => new(
        "RawCompareAndSwap",
        Idempotent: false,
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

    private static TiKVRpcException Mismatch(string address, string command, BatchResponse response) =>
        new(address, TiKV.Grpc.StatusCode.Internal, $"Store answered {command} with a {response.CmdCase} response");
}
