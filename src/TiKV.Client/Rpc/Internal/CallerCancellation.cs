using TiKV.Grpc;

namespace TiKV.Client.Rpc.Internal;

/// <summary>
/// The gRPC layer reports every cancellation it sees on the client side (a token cancelled before the call went out,
/// while it waited for an answer, or while a stream read waited) as <see cref="RpcException"/> with
/// <see cref="StatusCode.Cancelled"/>. The client's contract is <see cref="OperationCanceledException"/> carrying
/// the caller's token, so that status is turned back into one when the token is the reason. A Cancelled status
/// while the token is still live came from the other side (the server cancelled the call) and stays an RPC error.
/// </summary>
internal static class CallerCancellation
{
    public static bool IsCausedBy(RpcException exception, CancellationToken cancellationToken) =>
        exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested;

    public static bool IsCausedBy(Exception exception, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
        && exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled };

    public static OperationCanceledException ToCanceled(RpcException exception, CancellationToken cancellationToken) =>
        new($"The operation was cancelled by its caller ({exception.Detail}).", exception, cancellationToken);
}
