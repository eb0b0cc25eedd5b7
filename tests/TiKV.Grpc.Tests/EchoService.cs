using Google.Protobuf;
using TiKV.Grpc.Tests.Protos;

namespace TiKV.Grpc.Tests;

/// <summary>
/// The .NET implementation of the test Echo service; the Python interop server behaves the same way.
/// Request metadata whose key starts with "echo-" comes back in both the response headers and trailers.
/// </summary>
internal sealed class EchoService
{
    private readonly TaskCompletionSource<ServerCallContext> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a handler observed its call's cancellation token firing.</summary>
    public Task<ServerCallContext> CancellationObserved => _cancelled.Task;

    public DateTimeOffset? LastDeadline { get; private set; }

    public void MapTo(GrpcServer server)
    {
        server.MapUnary(EchoMethods.Unary, UnaryAsync);
        server.MapDuplexStreaming(EchoMethods.Duplex, DuplexAsync);
    }

    public async ValueTask<EchoResponse> UnaryAsync(EchoRequest request, ServerCallContext context)
    {
        LastDeadline = context.Deadline;
        CopyEchoMetadata(context);
        await SleepAsync(request, context);
        ThrowIfAsked(request);
        var response = Reply(request);
        foreach (KeyValuePair<string, string> entry in context.RequestHeaders)
        {
            response.SeenMetadata.Add($"{entry.Key}={entry.Value}");
        }

        return response;
    }

    public async Task DuplexAsync(IAsyncStreamReader<EchoRequest> requests, IServerStreamWriter<EchoResponse> responses, ServerCallContext context)
    {
        LastDeadline = context.Deadline;
        CopyEchoMetadata(context);
        try
        {
            while (await requests.MoveNextAsync(context.CancellationToken))
            {
                EchoRequest request = requests.Current;
                await SleepAsync(request, context);
                ThrowIfAsked(request);
                await responses.WriteAsync(Reply(request), context.CancellationToken);
            }
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested)
        {
            _cancelled.TrySetResult(context);
            throw;
        }
    }

    private async Task SleepAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.SleepMs <= 0)
        {
            return;
        }

        try
        {
            await Task.Delay(request.SleepMs, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult(context);
            throw;
        }
    }

    private static void ThrowIfAsked(EchoRequest request)
    {
        if (request.StatusCode != 0)
        {
            var trailers = new Metadata { { "error-detail", "from-handler" }, { "error-bin", [0, 1, 2, 255] } };
            throw new RpcException((StatusCode)request.StatusCode, request.StatusMessage, trailers);
        }
    }

    private static EchoResponse Reply(EchoRequest request) => new()
    {
        Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
        Text = request.Text,
        Sequence = request.Sequence,
    };

    private static void CopyEchoMetadata(ServerCallContext context)
    {
        foreach (Metadata.Entry entry in context.RequestHeaders.Entries)
        {
            if (!entry.Key.StartsWith("echo-", StringComparison.Ordinal))
            {
                continue;
            }

            if (entry.Bytes is { } bytes)
            {
                context.ResponseHeaders.Add(entry.Key, bytes);
                context.ResponseTrailers.Add(entry.Key, bytes);
            }
            else
            {
                context.ResponseHeaders.Add(entry.Key, entry.Value!);
                context.ResponseTrailers.Add(entry.Key, entry.Value!);
            }
        }
    }
}
