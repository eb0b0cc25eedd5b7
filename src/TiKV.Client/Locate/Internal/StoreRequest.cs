using TiKV.Client.Rpc.Internal;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// One request to the leader of a region, as the sender needs it: how to send it with a given context,
/// where its region error lives, and whether it may be repeated after a failure that could have applied it.
/// Most requests are BatchCommands sub-requests (<see cref="ToBatch"/> returns the sub-request and the sender
/// hands it to the transport itself); the few that are unary-only override <see cref="SendUnaryAsync"/>.
/// The context a request is given may be shared with other requests to the same region: a request must not
/// modify it (copy it first).
/// </summary>
/// <typeparam name="TResponse">The kvrpcpb response.</typeparam>
internal abstract class StoreRequest<TResponse>
    where TResponse : class
{
    protected StoreRequest(string command, bool idempotent)
    {
        Command = command;
        Idempotent = idempotent;
    }

    /// <summary>Command name for metrics, logs and errors (e.g. "RawPut").</summary>
    public string Command { get; }

    /// <summary>False for requests whose repetition can change the outcome (compare-and-swap).</summary>
    public bool Idempotent { get; }

    /// <summary>A request sent through BatchCommands, described by delegates.</summary>
    public static StoreRequest<TResponse> Batch(
        string command,
        bool idempotent,
        Func<Context, BatchRequest> wrap,
        Func<BatchResponse, TResponse?> unwrap,
        Func<TResponse, Error?> regionError) =>
        new BatchDelegates(command, idempotent, wrap, unwrap, regionError);

    /// <summary>A request with its own unary call (no BatchCommands variant, e.g. RawCompareAndSwap).</summary>
    public static StoreRequest<TResponse> Unary(
        string command,
        bool idempotent,
        Func<IStoreTransport, string, Context, CancellationToken, Task<TResponse>> send,
        Func<TResponse, Error?> regionError) =>
        new UnaryDelegates(command, idempotent, send, regionError);

    /// <summary>The BatchCommands sub-request carrying <paramref name="context"/>, or null for a unary-only request.</summary>
    public abstract BatchRequest? ToBatch(Context context);

    /// <summary>The typed response inside a BatchCommands answer; null when the store answered another command.</summary>
    public abstract TResponse? FromBatch(BatchResponse response);

    /// <summary>The response's region error.</summary>
    public abstract Error? RegionError(TResponse response);

    /// <summary>Sends a unary-only request (called when <see cref="ToBatch"/> returned null).</summary>
    public virtual Task<TResponse> SendUnaryAsync(IStoreTransport transport, string address, Context context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{Command} is a BatchCommands request.");

    private sealed class BatchDelegates(
        string command,
        bool idempotent,
        Func<Context, BatchRequest> wrap,
        Func<BatchResponse, TResponse?> unwrap,
        Func<TResponse, Error?> regionError) : StoreRequest<TResponse>(command, idempotent)
    {
        public override BatchRequest ToBatch(Context context) => wrap(context);

        public override TResponse? FromBatch(BatchResponse response) => unwrap(response);

        public override Error? RegionError(TResponse response) => regionError(response);
    }

    private sealed class UnaryDelegates(
        string command,
        bool idempotent,
        Func<IStoreTransport, string, Context, CancellationToken, Task<TResponse>> send,
        Func<TResponse, Error?> regionError) : StoreRequest<TResponse>(command, idempotent)
    {
        public override BatchRequest? ToBatch(Context context) => null;

        public override TResponse? FromBatch(BatchResponse response) => null;

        public override Error? RegionError(TResponse response) => regionError(response);

        public override Task<TResponse> SendUnaryAsync(IStoreTransport transport, string address, Context context, CancellationToken cancellationToken) =>
            send(transport, address, context, cancellationToken);
    }
}
