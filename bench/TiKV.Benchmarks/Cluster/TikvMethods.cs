using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.Benchmarks.Cluster;

/// <summary>The kvproto methods the load generators call directly.</summary>
public static class TikvMethods
{
    public static readonly GrpcMethod<BatchCommandsRequest, BatchCommandsResponse> BatchCommands =
        GrpcMethod<BatchCommandsRequest, BatchCommandsResponse>.FromDescriptor(TikvpbReflection.Descriptor.Services[0], "BatchCommands");

    public static readonly GrpcMethod<RawBatchPutRequest, RawBatchPutResponse> RawBatchPut =
        GrpcMethod<RawBatchPutRequest, RawBatchPutResponse>.FromDescriptor(TikvpbReflection.Descriptor.Services[0], "RawBatchPut");
}
