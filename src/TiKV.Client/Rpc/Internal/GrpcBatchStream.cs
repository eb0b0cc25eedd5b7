using TiKV.Grpc;
using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Rpc.Internal;

/// <summary>A BatchCommands stream over the project's gRPC layer.</summary>
internal sealed class GrpcBatchStream : IBatchStream
{
    private readonly DuplexStreamingCall<BatchCommandsRequest, BatchCommandsResponse> _call;

    public GrpcBatchStream(DuplexStreamingCall<BatchCommandsRequest, BatchCommandsResponse> call) => _call = call;

    public ValueTask WriteAsync(BatchCommandsRequest request, CancellationToken cancellationToken) =>
        _call.WriteAsync(request, flush: true, cancellationToken);

    public async ValueTask<BatchCommandsResponse?> ReadAsync(CancellationToken cancellationToken) =>
        await _call.MoveNextAsync(cancellationToken).ConfigureAwait(false) ? _call.Current : null;

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => _call.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => _call.DisposeAsync();
}
