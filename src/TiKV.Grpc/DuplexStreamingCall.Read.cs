using System.Runtime.CompilerServices;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>The response side: one reader at a time, parsing messages from a pooled buffer.</summary>
public sealed partial class DuplexStreamingCall<TRequest, TResponse>
{
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private StreamMessageReader? _reader;
    private Queue<TResponse>? _drained;
    private TResponse? _current;

    /// <summary>The message read by the last successful <see cref="MoveNextAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">No message has been read.</exception>
    public TResponse Current => _current ?? throw new InvalidOperationException("No message has been read: call MoveNextAsync first.");

    /// <summary>
    /// Reads the next response message into <see cref="Current"/>. Returns <see langword="false"/> when the server
    /// ended the call with OK. Cancelling <paramref name="cancellationToken"/> cancels the whole call.
    /// </summary>
    /// <exception cref="RpcException">The call ended with a non-OK status.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (!_readLock.Wait(0, CancellationToken.None))
        {
            await WaitAsync(_readLock, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (_drained is { Count: > 0 })
            {
                _current = _drained.Dequeue();
                return true;
            }

            if (IsFinished)
            {
                return CompletedOrThrow();
            }

            using CancellationTokenRegistration registration = RegisterOperationToken(cancellationToken);
            try
            {
                if (_reader is null && !await StartReadingAsync().ConfigureAwait(false))
                {
                    return CompletedOrThrow();
                }

                TResponse? message = await _reader!.ReadAsync(_method.ResponseParser, _cts.Token).ConfigureAwait(false);
                if (message is not null)
                {
                    _current = message;
                    return true;
                }

                FinishFromTrailers();
            }
            catch (Exception ex) when (ex is not RpcException || !IsFinished)
            {
                throw Fail(ex);
            }

            return CompletedOrThrow();
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <summary>Reads all response messages until the call ends.</summary>
    /// <exception cref="RpcException">The call ended with a non-OK status.</exception>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Current;
        }
    }

    private bool CompletedOrThrow()
    {
        lock (_statusLock)
        {
            if (_error is not null)
            {
                throw _error;
            }

            return false;
        }
    }

    /// <summary>Awaits the response headers; false when the call already ended there.</summary>
    private async ValueTask<bool> StartReadingAsync()
    {
        HttpResponseMessage response = await _responseTask.ConfigureAwait(false);
        _response = response;
        RpcException? headerStatus = ResponseStatus.CheckHeaders(response, out bool trailersOnlyOk);
        if (headerStatus is not null)
        {
            Finish(headerStatus.StatusCode, headerStatus, headerStatus.Trailers);
            return false;
        }

        if (trailersOnlyOk)
        {
            Finish(StatusCode.OK, null, ResponseStatus.ToMetadata(response.Headers));
            return false;
        }

        Stream body = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        _reader = new StreamMessageReader(body, _channel.MaxReceiveMessageSize);
        return true;
    }

    private void FinishFromTrailers()
    {
        (StatusCode code, string detail) = ResponseStatus.FromTrailers(_response!);
        if (code == StatusCode.OK)
        {
            Finish(StatusCode.OK, null);
        }
        else
        {
            Finish(code, new RpcException(code, detail, ResponseStatus.ToMetadata(_response!.TrailingHeaders)));
        }
    }

    /// <summary>
    /// Reads the rest of the response after a failed write, keeping unread messages for the reader. Called under the
    /// read lock.
    /// </summary>
    private async Task DrainLockedAsync()
    {
        if (IsFinished)
        {
            return;
        }

        try
        {
            if (_reader is null && !await StartReadingAsync().ConfigureAwait(false))
            {
                return;
            }

            while (await _reader!.ReadAsync(_method.ResponseParser, _cts.Token).ConfigureAwait(false) is { } message)
            {
                (_drained ??= new Queue<TResponse>()).Enqueue(message);
            }

            FinishFromTrailers();
        }
        catch (Exception ex) when (ex is not RpcException || !IsFinished)
        {
            throw Fail(ex);
        }
    }
}
