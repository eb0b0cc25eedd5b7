using Google.Protobuf.Reflection;
using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Pd.Internal;

/// <summary>Call descriptors of the pdpb.PD methods the client uses.</summary>
internal static class PdMethods
{
    private static readonly ServiceDescriptor Service = PdpbReflection.Descriptor.Services.Single(s => s.Name == "PD");

    public static readonly GrpcMethod<GetMembersRequest, GetMembersResponse> GetMembers =
        GrpcMethod<GetMembersRequest, GetMembersResponse>.FromDescriptor(Service, "GetMembers");

    public static readonly GrpcMethod<TsoRequest, TsoResponse> Tso =
        GrpcMethod<TsoRequest, TsoResponse>.FromDescriptor(Service, "Tso");

    public static readonly GrpcMethod<GetRegionRequest, GetRegionResponse> GetRegion =
        GrpcMethod<GetRegionRequest, GetRegionResponse>.FromDescriptor(Service, "GetRegion");

    public static readonly GrpcMethod<GetRegionRequest, GetRegionResponse> GetPrevRegion =
        GrpcMethod<GetRegionRequest, GetRegionResponse>.FromDescriptor(Service, "GetPrevRegion");

    public static readonly GrpcMethod<GetRegionByIDRequest, GetRegionResponse> GetRegionById =
        GrpcMethod<GetRegionByIDRequest, GetRegionResponse>.FromDescriptor(Service, "GetRegionByID");

    public static readonly GrpcMethod<ScanRegionsRequest, ScanRegionsResponse> ScanRegions =
        GrpcMethod<ScanRegionsRequest, ScanRegionsResponse>.FromDescriptor(Service, "ScanRegions");

    public static readonly GrpcMethod<GetStoreRequest, GetStoreResponse> GetStore =
        GrpcMethod<GetStoreRequest, GetStoreResponse>.FromDescriptor(Service, "GetStore");

    public static readonly GrpcMethod<GetAllStoresRequest, GetAllStoresResponse> GetAllStores =
        GrpcMethod<GetAllStoresRequest, GetAllStoresResponse>.FromDescriptor(Service, "GetAllStores");
}
