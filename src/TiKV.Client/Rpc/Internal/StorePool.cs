using Microsoft.Extensions.Logging;
using TiKV.Client.Internal;
using TiKV.Grpc;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Rpc.Internal;

/// <summary>
/// The connections to one store: <c>GrpcConnectionCount</c> channels (each its own HTTP/2 connection), each
/// carrying one BatchCommands stream, chosen round-robin as client-go does. Unary calls (CAS, TTL, and
/// everything when batching is off) use the same channels.
/// </summary>
internal sealed class StorePool : IAsyncDisposable
{
    private readonly GrpcChannel[] _channels;
    private readonly BatchConnection[]? _connections;
    private readonly TimeSpan _requestTimeout;
    private int _next = -1;

    public StorePool(string address, TiKVClientOptions options, ILogger logger)
    {
        Address = address;
        _requestTimeout = options.RequestTimeout;
        var channelOptions = ChannelOptionsFactory.Create(options, TimeSpan.FromSeconds(5));
        var target = options.Tls is not null && !address.Contains("://", StringComparison.Ordinal) ? "https://" + address : address;
        _channels = new GrpcChannel[options.GrpcConnectionCount];
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = GrpcChannel.Create(target, channelOptions);
        }

        if (options.EnableBatchCommands)
        {
            var settings = BatchSettings.From(options);
            _connections = new BatchConnection[_channels.Length];
            for (var i = 0; i < _connections.Length; i++)
            {
                _connections[i] = new BatchConnection(i, new GrpcBatchStreamFactory(_channels[i]), settings, logger);
            }
        }
    }

    public string Address { get; }

    /// <summary>Whether requests go through BatchCommands streams (else each is a unary call).</summary>
    public bool IsBatching => _connections is not null;

    public Task<BatchResponse> SendAsync(BatchRequest request, CancellationToken cancellationToken)
    {
        var index = NextIndex();
        return _connections is not null
            ? _connections[index].SendAsync(request, cancellationToken)
            : UnaryDispatcher.CallAsync(_channels[index], request, new CallOptions(_requestTimeout), cancellationToken);
    }

    public Task<TResponse> UnaryAsync<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        _channels[NextIndex()].UnaryAsync(method, request, new CallOptions(_requestTimeout), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connections is not null)
        {
            await Task.WhenAll(_connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        foreach (var channel in _channels)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    private int NextIndex() => (int)((uint)Interlocked.Increment(ref _next) % (uint)_channels.Length);
}
