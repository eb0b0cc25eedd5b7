using System.Runtime.CompilerServices;
using Google.Protobuf;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>
/// A bidirectional streaming call. Reading and writing may run concurrently (one reader and any number of
/// writers; writes are serialized). Disposing an unfinished call cancels it with RST_STREAM(CANCEL).
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed partial class DuplexStreamingCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly GrpcChannel _channel;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenRegistration _callerRegistration;
    private readonly bool _hasDeadline;
    private readonly HttpRequestMessage _request;
    private readonly StreamingRequestContent _content;
    private readonly Task<HttpResponseMessage> _responseTask;
    private readonly TaskCompletionSource _finishedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _statusLock = new();

    private Task<Metadata>? _responseHeaders;
    private bool _finished;
    private StatusCode _statusCode;
    private RpcException? _error;
    private Metadata? _trailers;
    private HttpResponseMessage? _response;
    private volatile bool _cancelledLocally;
    private int _disposed;

    internal DuplexStreamingCall(GrpcChannel channel, GrpcMethod<TRequest, TResponse> method, CallOptions options, CancellationToken cancellationToken)
    {
        _channel = channel;
        _method = method;
        _callerToken = cancellationToken;
        TimeSpan? effectiveTimeout = GrpcProtocol.EffectiveTimeout(options.Timeout);
        _hasDeadline = effectiveTimeout.HasValue;
        _cts = effectiveTimeout is { } timeout
            ? new CancellationTokenSource(timeout, channel.TimeProvider)
            : new CancellationTokenSource();
        if (cancellationToken.CanBeCanceled)
        {
            _callerRegistration = cancellationToken.UnsafeRegister(static state => ((DuplexStreamingCall<TRequest, TResponse>)state!).CancelLocally(), this);
        }

        _content = new StreamingRequestContent();
        _request = channel.CreateRequest(method, method.FullName, _content, options);
        _responseTask = channel.NextInvoker().SendAsync(_request, _cts.Token);
        _ = _responseTask.ContinueWith(
            static (task, state) => ((StreamingRequestContent)state!).Fail(task.Exception?.InnerException ?? new OperationCanceledException()),
            _content,
            CancellationToken.None,
            TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The response headers, once the server has sent them.</summary>
    public Task<Metadata> ResponseHeadersAsync => _responseHeaders ??= ReadResponseHeadersAsync();

    /// <summary>The final status, or <see langword="null"/> while the call is running.</summary>
    public StatusCode? Status
    {
        get
        {
            lock (_statusLock)
            {
                return _finished ? _statusCode : null;
            }
        }
    }

    /// <summary>The trailers the server sent with the status.</summary>
    /// <exception cref="InvalidOperationException">The call has not finished.</exception>
    public Metadata GetTrailers()
    {
        lock (_statusLock)
        {
            if (!_finished)
            {
                throw new InvalidOperationException("Trailers are available once the call has finished: read the response stream to its end first.");
            }

            return _trailers ??= _response is { } response && _error is null
                ? ResponseStatus.ToMetadata(response.TrailingHeaders)
                : _error?.Trailers ?? new Metadata();
        }
    }

    /// <summary>Cancels the call unless it has finished and releases its resources.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!IsFinished)
        {
            CancelLocally();
            Finish(StatusCode.Cancelled, ClientErrors.Cancelled());
        }

        _content.Complete();
        _callerRegistration.Dispose();

        // Wait for a reader or writer still inside the call; the cancellation above makes them return promptly.
        await _readLock.WaitAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        _reader?.Dispose();
        _reader = null;
        ReturnWriteBuffer();
        _request.Dispose();
        if (_responseTask.IsCompletedSuccessfully)
        {
            _responseTask.Result.Dispose();
        }
        else
        {
            _ = _responseTask.ContinueWith(
                static task => task.Result.Dispose(),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        _cts.Dispose();

        // The call is finished, so operations after disposal fail fast with its status instead of waiting.
        _writeLock.Release();
        _readLock.Release();
    }

    private bool IsFinished
    {
        get
        {
            lock (_statusLock)
            {
                return _finished;
            }
        }
    }

    private void CancelLocally()
    {
        _cancelledLocally = true;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call was already disposed; nothing is left to cancel.
        }
    }

    /// <summary>Records the final status once; later outcomes are ignored.</summary>
    private RpcException? Finish(StatusCode code, RpcException? error, Metadata? trailers = null)
    {
        lock (_statusLock)
        {
            if (!_finished)
            {
                _finished = true;
                _statusCode = code;
                _error = error;
                _trailers = trailers;
            }

            error = _error;
        }

        _finishedSignal.TrySetResult();
        return error;
    }

    /// <summary>The exception that describes how the call ended, for operations attempted after that.</summary>
    private Exception FinishedException()
    {
        lock (_statusLock)
        {
            return _error ?? (Exception)new InvalidOperationException("The call has already completed with status OK.");
        }
    }

    /// <summary>Turns a failure inside the call into its status, cancelling the HTTP/2 stream when the failure is local.</summary>
    private RpcException Fail(Exception exception)
    {
        lock (_statusLock)
        {
            if (_finished && _error is not null)
            {
                return _error;
            }
        }

        RpcException error;
        if (_cancelledLocally || _callerToken.IsCancellationRequested)
        {
            error = ClientErrors.Cancelled();
        }
        else if (_hasDeadline && _cts.IsCancellationRequested)
        {
            error = ClientErrors.DeadlineExceeded();
        }
        else
        {
            error = ClientErrors.FromTransport(exception, _channel.Target);
        }

        RpcException result = Finish(error.StatusCode, error) ?? error;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently: the stream is being torn down anyway.
        }

        return result;
    }

    private async Task<Metadata> ReadResponseHeadersAsync()
    {
        try
        {
            HttpResponseMessage response = await _responseTask.ConfigureAwait(false);
            return ResponseStatus.ToMetadata(response.Headers);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Fail(ex);
        }
    }

    private CancellationTokenRegistration RegisterOperationToken(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((DuplexStreamingCall<TRequest, TResponse>)state!).CancelLocally(), this)
            : default;

    /// <summary>
    /// Waits for the read or write lock. A caller that gives up waiting cancels the whole call, as cancelling any
    /// operation does, and sees the call's CANCELLED status rather than a bare <see cref="OperationCanceledException"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitAsync(SemaphoreSlim semaphore, CancellationToken cancellationToken)
    {
        try
        {
            await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            CancelLocally();
            throw Fail(e);
        }
    }
}
