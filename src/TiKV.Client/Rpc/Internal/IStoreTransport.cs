using TiKV.Grpc;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Rpc.Internal;

/// <summary>How the request plan reaches stores (a seam for tests with scripted stores).</summary>
internal interface IStoreTransport : IAsyncDisposable
{
    /// <summary>Sends a batchable request (through BatchCommands, or unary when batching is off).</summary>
    Task<BatchResponse> SendAsync(string address, BatchRequest request, CancellationToken cancellationToken);

    /// <summary>Sends a request that only exists as a unary call (RawCompareAndSwap, RawGetKeyTTL).</summary>
    Task<TResponse> UnaryAsync<TRequest, TResponse>(string address, GrpcMethod<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new();

    /// <summary>Forgets the connections to an address.</summary>
    void Drop(string address);
}
