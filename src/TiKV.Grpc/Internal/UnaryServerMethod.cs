using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace TiKV.Grpc.Internal;

/// <summary>Serves a unary method: read one framed request, run the handler, write one response and the status.</summary>
internal sealed class UnaryServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler,
    ServerRuntime runtime) : ServerMethod(method.FullName, runtime)
    where TRequest : IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>, new()
{
    public override async Task HandleAsync(HttpContext httpContext)
    {
        HttpResponse response = httpContext.Response;
        CancellationToken aborted = httpContext.RequestAborted;
        TimeSpan? timeout = GrpcProtocol.EffectiveTimeout(GrpcProtocol.ParseTimeout(httpContext.Request.Headers[GrpcProtocol.TimeoutHeader]));
        using var cancellation = new CallCancellation(timeout, Runtime.TimeProvider, aborted);
        DateTimeOffset? deadline = timeout is { } t ? Runtime.TimeProvider.GetUtcNow() + t : null;
        var context = new ServerCallContext(httpContext, FullName, deadline, cancellation.Token);

        TResponse reply;
        try
        {
            TRequest request = await ReadRequestAsync(httpContext.Request.BodyReader, cancellation.Token).ConfigureAwait(false);
            reply = await handler(request, context).ConfigureAwait(false);
            if (cancellation.DeadlineExceeded)
            {
                throw new OperationCanceledException(cancellation.Token);
            }

            if (reply is null)
            {
                throw new RpcException(StatusCode.Internal, $"The handler for {FullName} returned no response message.");
            }
        }
        catch (Exception ex)
        {
            (StatusCode code, string detail, Metadata? trailers) = StatusFromException(ex, cancellation.DeadlineExceeded, aborted);
            if (!aborted.IsCancellationRequested)
            {
                ServerResponses.WriteTrailersOnly(response, code, detail, context.ResponseHeadersOrNull, Metadata.Merge(context.ResponseTrailersOrNull, trailers));
            }

            return;
        }

        int size = reply.CalculateSize();
        if (size > Runtime.MaxSendMessageSize)
        {
            ServerResponses.WriteTrailersOnly(
                response,
                StatusCode.ResourceExhausted,
                MessageFraming.SendTooLarge(size, Runtime.MaxSendMessageSize).Detail,
                context.ResponseHeadersOrNull,
                context.ResponseTrailersOrNull);
            return;
        }

        ServerResponses.PrepareResponse(response);
        ServerResponses.AddMetadata(response.Headers, context.ResponseHeadersOrNull);
        MessageFraming.Write(response.BodyWriter, reply, size);
        ServerResponses.WriteTrailers(response, StatusCode.OK, null, context.ResponseTrailersOrNull);
    }

    /// <summary>Reads the body until the client ends it; exactly one message must be in it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TRequest> ReadRequestAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        int maxSize = Runtime.MaxReceiveMessageSize;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            int length = -1;
            if (buffer.Length >= GrpcProtocol.HeaderSize)
            {
                // Checked before the whole body arrives so an oversized message is refused without buffering it.
                length = MessageFraming.ReadHeader(buffer, maxSize);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                try
                {
                    if (buffer.Length == 0)
                    {
                        throw new RpcException(StatusCode.Internal, "The request carried no message; a unary call needs exactly one.");
                    }

                    if (length < 0 || buffer.Length < GrpcProtocol.HeaderSize + length)
                    {
                        throw MessageFraming.Truncated();
                    }

                    if (buffer.Length > GrpcProtocol.HeaderSize + length)
                    {
                        throw new RpcException(StatusCode.Internal, "The request carried more than one message; a unary call takes exactly one.");
                    }

                    return MessageFraming.Parse(method.RequestParser, buffer.Slice(GrpcProtocol.HeaderSize, length), "request");
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
