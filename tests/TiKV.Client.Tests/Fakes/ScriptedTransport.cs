using System.Collections.Concurrent;
using TiKV.Client.Rpc.Internal;
using TiKV.Grpc;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Tests.Fakes;

/// <summary>Stores played by a script: each request goes to <see cref="Handler"/> with the store address.</summary>
internal sealed class ScriptedTransport : IStoreTransport
{
    public ConcurrentQueue<(string Address, object Request)> Calls { get; } = new();

    public ConcurrentQueue<string> Dropped { get; } = new();

    public Func<string, BatchRequest, BatchResponse> Handler { get; set; } = (_, _) => throw new InvalidOperationException("no handler");

    public Func<string, object, object> UnaryHandler { get; set; } = (_, _) => throw new InvalidOperationException("no unary handler");

    public Task<BatchResponse> SendAsync(string address, BatchRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue((address, request));
        return Task.FromResult(Handler(address, request));
    }

    public Task<TResponse> UnaryAsync<TRequest, TResponse>(string address, GrpcMethod<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new()
    {
        Calls.Enqueue((address, request));
        return Task.FromResult((TResponse)UnaryHandler(address, request));
    }

    public void Drop(string address) => Dropped.Enqueue(address);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
