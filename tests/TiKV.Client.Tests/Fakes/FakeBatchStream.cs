using System.Threading.Channels;
using TiKV.Client.Rpc.Internal;
using TiKV.Grpc;
using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Tests.Fakes;

/// <summary>A BatchCommands stream whose server side is driven by the test.</summary>
internal sealed class FakeBatchStream : IBatchStream
{
    private readonly Channel<BatchCommandsResponse?> _responses = Channel.CreateUnbounded<BatchCommandsResponse?>();
    private readonly Channel<BatchCommandsRequest> _written = Channel.CreateUnbounded<BatchCommandsRequest>();
    private Exception? _failure;

    /// <summary>When set, writes wait for it.</summary>
    public TaskCompletionSource? WriteGate { get; set; }

    public ChannelReader<BatchCommandsRequest> Written => _written.Reader;

    public async ValueTask WriteAsync(BatchCommandsRequest request, CancellationToken cancellationToken)
    {
        if (WriteGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (_failure is { } failure)
        {
            throw failure;
        }

        await _written.Writer.WriteAsync(request.Clone(), cancellationToken);
    }

    public async ValueTask<BatchCommandsResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        var response = await _responses.Reader.ReadAsync(cancellationToken);
        if (response is null)
        {
            throw _failure ?? new RpcException(StatusCode.Unavailable, "stream reset");
        }

        return response;
    }

    public void Respond(BatchCommandsResponse response) => _responses.Writer.TryWrite(response);

    public void Break(Exception? error = null)
    {
        _failure = error ?? new RpcException(StatusCode.Unavailable, "connection reset by peer");
        _responses.Writer.TryWrite(null);
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
