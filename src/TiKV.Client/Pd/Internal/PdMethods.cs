using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Pd.Internal;

/// <summary>
/// Call descriptors of the pdpb.PD methods the client uses, built by name (fixed by kvproto) rather than from the
/// file descriptor, whose loading is a noticeable part of a client's start-up.
/// </summary>
internal static class PdMethods
{
    private const string Service = "pdpb.PD";

    public static readonly GrpcMethod<GetMembersRequest, GetMembersResponse> GetMembers =
        GrpcMethod<GetMembersRequest, GetMembersResponse>.Create(Service, "GetMembers", MethodType.Unary, GetMembersRequest.Parser, GetMembersResponse.Parser);

    public static readonly GrpcMethod<TsoRequest, TsoResponse> Tso =
        GrpcMethod<TsoRequest, TsoResponse>.Create(Service, "Tso", MethodType.DuplexStreaming, TsoRequest.Parser, TsoResponse.Parser);

    public static readonly GrpcMethod<GetRegionRequest, GetRegionResponse> GetRegion =
        GrpcMethod<GetRegionRequest, GetRegionResponse>.Create(Service, "GetRegion", MethodType.Unary, GetRegionRequest.Parser, GetRegionResponse.Parser);

    public static readonly GrpcMethod<GetRegionRequest, GetRegionResponse> GetPrevRegion =
        GrpcMethod<GetRegionRequest, GetRegionResponse>.Create(Service, "GetPrevRegion", MethodType.Unary, GetRegionRequest.Parser, GetRegionResponse.Parser);

    public static readonly GrpcMethod<GetRegionByIDRequest, GetRegionResponse> GetRegionById =
        GrpcMethod<GetRegionByIDRequest, GetRegionResponse>.Create(Service, "GetRegionByID", MethodType.Unary, GetRegionByIDRequest.Parser, GetRegionResponse.Parser);

    public static readonly GrpcMethod<ScanRegionsRequest, ScanRegionsResponse> ScanRegions =
        GrpcMethod<ScanRegionsRequest, ScanRegionsResponse>.Create(Service, "ScanRegions", MethodType.Unary, ScanRegionsRequest.Parser, ScanRegionsResponse.Parser);

    public static readonly GrpcMethod<GetStoreRequest, GetStoreResponse> GetStore =
        GrpcMethod<GetStoreRequest, GetStoreResponse>.Create(Service, "GetStore", MethodType.Unary, GetStoreRequest.Parser, GetStoreResponse.Parser);

    public static readonly GrpcMethod<GetAllStoresRequest, GetAllStoresResponse> GetAllStores =
        GrpcMethod<GetAllStoresRequest, GetAllStoresResponse>.Create(Service, "GetAllStores", MethodType.Unary, GetAllStoresRequest.Parser, GetAllStoresResponse.Parser);
}
