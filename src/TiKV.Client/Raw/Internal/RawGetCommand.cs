using TiKV.Client.Locate.Internal;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Raw.Internal;

/// <summary>
/// RawGet, the point read every benchmark and cache-style caller lives on: one object per call instead of
/// the closures and delegates of <see cref="StoreRequest{TResponse}.Batch"/>.
/// </summary>
internal sealed class RawGetCommand : StoreRequest<RawGetResponse>
{
    private readonly RawGetRequest _request;

    public RawGetCommand(RawGetRequest request)
        : base("RawGet", idempotent: true) => _request = request;

    public override BatchRequest ToBatch(Context context)
    {
        _request.Context = context;
        return new BatchRequest { RawGet = _request };
    }

    public override RawGetResponse? FromBatch(BatchResponse response) => response.RawGet;

    public override Error? RegionError(RawGetResponse response) => response.RegionError;
}
