using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TiKV.Grpc;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Rpc.Internal;

/// <summary>Connection pools to every store the client talks to, keyed by address; transport errors become <see cref="TiKVRpcException"/>.</summary>
internal sealed class RpcClient : IStoreTransport
{
    private readonly ConcurrentDictionary<string, Lazy<StorePool>> _pools = new(StringComparer.Ordinal);
    private readonly TiKVClientOptions _options;
    private readonly ILogger _logger;
    private int _disposed;

    public RpcClient(TiKVClientOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _logger = loggerFactory.CreateLogger("TiKV.Client.Rpc");
    }

    public Task<BatchResponse> SendAsync(string address, BatchRequest request, CancellationToken cancellationToken)
    {
        var pool = GetPool(address);

        // A BatchCommands connection fails its requests with TiKVRpcException already; only unary calls
        // (batching off) surface gRPC's RpcException, and only they pay for translating it.
        return pool.IsBatching ? pool.SendAsync(request, cancellationToken) : TranslateAsync(address, pool.SendAsync(request, cancellationToken), cancellationToken);
    }

    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(string address, GrpcMethod<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new()
    {
        try
        {
            return await GetPool(address).UnaryAsync(method, request, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (CallerCancellation.IsCausedBy(ex, cancellationToken))
        {
            throw CallerCancellation.ToCanceled(ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw new TiKVRpcException(address, ex.StatusCode, ex.Detail, ex);
        }
    }

    /// <summary>Closes the pool to an address that no longer belongs to the store we meant (StoreNotMatch).</summary>
    public void Drop(string address)
    {
        if (_pools.TryRemove(address, out var pool) && pool.IsValueCreated)
        {
            _ = pool.Value.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var pools = _pools.Values.Where(p => p.IsValueCreated).Select(p => p.Value.DisposeAsync().AsTask()).ToArray();
        _pools.Clear();
        await Task.WhenAll(pools).ConfigureAwait(false);
    }

    private static async Task<BatchResponse> TranslateAsync(string address, Task<BatchResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (RpcException ex) when (CallerCancellation.IsCausedBy(ex, cancellationToken))
        {
            throw CallerCancellation.ToCanceled(ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw new TiKVRpcException(address, ex.StatusCode, ex.Detail, ex);
        }
    }

    private StorePool GetPool(string address)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_pools.TryGetValue(address, out var existing))
        {
            return existing.Value;
        }

        return _pools.GetOrAdd(address, a => new Lazy<StorePool>(() => new StorePool(a, _options, _logger))).Value;
    }
}
