using Google.Protobuf;
using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// The <c>pdpb.PD</c> methods PD serves, built from names and parsers rather than the service descriptor: building
/// kvproto's descriptors costs start-up over 100 ms, and a playground should be ready as soon as it can listen. A test
/// checks every entry against the descriptor.
/// </summary>
internal static class PdServiceMethods
{
    /// <summary>The fully-qualified service name.</summary>
    public const string ServiceName = "pdpb.PD";

    public static readonly GrpcMethod<GetMembersRequest, GetMembersResponse> GetMembers = Unary("GetMembers", GetMembersRequest.Parser, GetMembersResponse.Parser);

    public static readonly GrpcMethod<TsoRequest, TsoResponse> Tso =
        GrpcMethod<TsoRequest, TsoResponse>.Create(ServiceName, "Tso", MethodType.DuplexStreaming, TsoRequest.Parser, TsoResponse.Parser);

    public static readonly GrpcMethod<BootstrapRequest, BootstrapResponse> Bootstrap = Unary("Bootstrap", BootstrapRequest.Parser, BootstrapResponse.Parser);

    public static readonly GrpcMethod<IsBootstrappedRequest, IsBootstrappedResponse> IsBootstrapped = Unary("IsBootstrapped", IsBootstrappedRequest.Parser, IsBootstrappedResponse.Parser);

    public static readonly GrpcMethod<AllocIDRequest, AllocIDResponse> AllocId = Unary("AllocID", AllocIDRequest.Parser, AllocIDResponse.Parser);

    public static readonly GrpcMethod<GetStoreRequest, GetStoreResponse> GetStore = Unary("GetStore", GetStoreRequest.Parser, GetStoreResponse.Parser);

    public static readonly GrpcMethod<PutStoreRequest, PutStoreResponse> PutStore = Unary("PutStore", PutStoreRequest.Parser, PutStoreResponse.Parser);

    public static readonly GrpcMethod<GetAllStoresRequest, GetAllStoresResponse> GetAllStores = Unary("GetAllStores", GetAllStoresRequest.Parser, GetAllStoresResponse.Parser);

    public static readonly GrpcMethod<StoreHeartbeatRequest, StoreHeartbeatResponse> StoreHeartbeat = Unary("StoreHeartbeat", StoreHeartbeatRequest.Parser, StoreHeartbeatResponse.Parser);

    public static readonly GrpcMethod<GetRegionRequest, GetRegionResponse> GetRegion = Unary("GetRegion", GetRegionRequest.Parser, GetRegionResponse.Parser);

    public static readonly GrpcMethod<GetRegionRequest, GetRegionResponse> GetPrevRegion = Unary("GetPrevRegion", GetRegionRequest.Parser, GetRegionResponse.Parser);

    public static readonly GrpcMethod<GetRegionByIDRequest, GetRegionResponse> GetRegionById = Unary("GetRegionByID", GetRegionByIDRequest.Parser, GetRegionResponse.Parser);

    public static readonly GrpcMethod<ScanRegionsRequest, ScanRegionsResponse> ScanRegions = Unary("ScanRegions", ScanRegionsRequest.Parser, ScanRegionsResponse.Parser);

    public static readonly GrpcMethod<BatchScanRegionsRequest, BatchScanRegionsResponse> BatchScanRegions = Unary("BatchScanRegions", BatchScanRegionsRequest.Parser, BatchScanRegionsResponse.Parser);

    public static readonly GrpcMethod<AskBatchSplitRequest, AskBatchSplitResponse> AskBatchSplit = Unary("AskBatchSplit", AskBatchSplitRequest.Parser, AskBatchSplitResponse.Parser);

    public static readonly GrpcMethod<ReportBatchSplitRequest, ReportBatchSplitResponse> ReportBatchSplit = Unary("ReportBatchSplit", ReportBatchSplitRequest.Parser, ReportBatchSplitResponse.Parser);

    public static readonly GrpcMethod<GetClusterConfigRequest, GetClusterConfigResponse> GetClusterConfig = Unary("GetClusterConfig", GetClusterConfigRequest.Parser, GetClusterConfigResponse.Parser);

    public static readonly GrpcMethod<PutClusterConfigRequest, PutClusterConfigResponse> PutClusterConfig = Unary("PutClusterConfig", PutClusterConfigRequest.Parser, PutClusterConfigResponse.Parser);

    public static readonly GrpcMethod<GetGCSafePointRequest, GetGCSafePointResponse> GetGcSafePoint = Unary("GetGCSafePoint", GetGCSafePointRequest.Parser, GetGCSafePointResponse.Parser);

    public static readonly GrpcMethod<UpdateGCSafePointRequest, UpdateGCSafePointResponse> UpdateGcSafePoint = Unary("UpdateGCSafePoint", UpdateGCSafePointRequest.Parser, UpdateGCSafePointResponse.Parser);

    public static readonly GrpcMethod<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse> UpdateServiceGcSafePoint =
        Unary("UpdateServiceGCSafePoint", UpdateServiceGCSafePointRequest.Parser, UpdateServiceGCSafePointResponse.Parser);

    private static GrpcMethod<TRequest, TResponse> Unary<TRequest, TResponse>(string name, MessageParser<TRequest> request, MessageParser<TResponse> response)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new() =>
        GrpcMethod<TRequest, TResponse>.Create(ServiceName, name, MethodType.Unary, request, response);
}
