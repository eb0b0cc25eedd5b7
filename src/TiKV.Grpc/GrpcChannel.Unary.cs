using Google.Protobuf;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>Unary calls.</summary>
public sealed partial class GrpcChannel
{
    private async Task<TResponse> UnaryCoreAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        CallOptions options,
        ResponseMetadata? metadata,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        HttpMessageInvoker invoker = NextInvoker();
        int size = request.CalculateSize();
        if (size > MaxSendMessageSize)
        {
            throw MessageFraming.SendTooLarge(size, MaxSendMessageSize);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // As grpc-dotnet does: a call cancelled before it starts ends like one cancelled mid-way, with CANCELLED.
            throw ClientErrors.Cancelled();
        }

        using HttpRequestMessage httpRequest = CreateRequest(method, method.FullName, new UnaryRequestContent(request, size), options);
        using var cancellation = new CallCancellation(options.Timeout, TimeProvider, cancellationToken);
        try
        {
            using HttpResponseMessage response = await invoker.SendAsync(httpRequest, cancellation.Token).ConfigureAwait(false);
            RpcException? headerStatus = ResponseStatus.CheckHeaders(response, out bool trailersOnlyOk);
            if (headerStatus is not null)
            {
                throw headerStatus;
            }

            if (trailersOnlyOk)
            {
                throw new RpcException(StatusCode.Internal, "The server ended the unary call with OK but sent no response message.");
            }

            // The HTTP/2 response stream already exists: getting it synchronously does no I/O and saves a Task.
            Stream body = response.Content.ReadAsStream(cancellation.Token);
            TResponse? message;
            using (var reader = new StreamMessageReader(body, MaxReceiveMessageSize))
            {
                message = await reader.ReadAsync(method.ResponseParser, cancellation.Token).ConfigureAwait(false);
                if (message is not null && await reader.ReadAsync(method.ResponseParser, cancellation.Token).ConfigureAwait(false) is not null)
                {
                    throw new RpcException(StatusCode.Internal, "The server sent more than one message for a unary call.");
                }
            }

            (StatusCode code, string detail) = ResponseStatus.FromTrailers(response);
            if (code != StatusCode.OK)
            {
                throw new RpcException(code, detail, ResponseStatus.ToMetadata(response.TrailingHeaders));
            }

            if (message is null)
            {
                throw new RpcException(StatusCode.Internal, "The server ended the unary call with OK but sent no response message.");
            }

            if (metadata is not null)
            {
                metadata.Headers = ResponseStatus.ToMetadata(response.Headers);
                metadata.Trailers = ResponseStatus.ToMetadata(response.TrailingHeaders);
            }

            return message;
        }
        catch (Exception ex) when (ex is not RpcException || cancellation.IsCancellationRequested)
        {
            throw MapFailure(ex, cancellation.DeadlineExceeded, cancellationToken);
        }
    }

    /// <summary>
    /// Turns a failure into the call's status: a fired deadline wins, then the caller's cancellation, then the
    /// transport error itself.
    /// </summary>
    internal RpcException MapFailure(Exception exception, bool deadlineExceeded, CancellationToken callerToken)
    {
        if (exception is RpcException { StatusCode: StatusCode.DeadlineExceeded } rpc)
        {
            return rpc;
        }

        if (deadlineExceeded)
        {
            return ClientErrors.DeadlineExceeded();
        }

        if (callerToken.IsCancellationRequested)
        {
            return ClientErrors.Cancelled();
        }

        return ClientErrors.FromTransport(exception, Target);
    }
}
