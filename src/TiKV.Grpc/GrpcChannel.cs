using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Google.Protobuf;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>
/// A client channel to one gRPC endpoint over HTTP/2 (h2c for <c>http://</c>, TLS for <c>https://</c>). Thread-safe;
/// create one per endpoint and share it.
/// </summary>
public sealed partial class GrpcChannel : IAsyncDisposable
{
    private readonly HttpMessageInvoker[] _invokers;
    private readonly ConcurrentDictionary<object, Uri> _methodUris = new(ReferenceEqualityComparer.Instance);
    private readonly Uri _baseUri;
    private readonly string _userAgent;
    private int _nextInvoker;
    private int _disposed;

    private GrpcChannel(string target, Uri baseUri, GrpcChannelOptions options)
    {
        Target = target;
        _baseUri = baseUri;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        TimeProvider = options.TimeProvider;
        _userAgent = options.UserAgent;
        _invokers = new HttpMessageInvoker[Math.Max(1, options.ConnectionsPerEndpoint)];
        for (int i = 0; i < _invokers.Length; i++)
        {
            _invokers[i] = new HttpMessageInvoker(CreateHandler(options), disposeHandler: true);
        }
    }

    /// <summary>The target the channel was created for.</summary>
    public string Target { get; }

    internal int MaxReceiveMessageSize { get; }

    internal int MaxSendMessageSize { get; }

    internal TimeProvider TimeProvider { get; }

    /// <summary>
    /// Creates a channel to <paramref name="target"/>: <c>host:port</c>, <c>http://host:port</c> or <c>https://host:port</c>.
    /// No connection is made until the first call.
    /// </summary>
    /// <exception cref="ArgumentException">The target is not a valid address.</exception>
    public static GrpcChannel Create(string target, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        options ??= new GrpcChannelOptions();
        if (options.MaxReceiveMessageSize <= 0 || options.MaxSendMessageSize <= 0)
        {
            throw new ArgumentException("Message size limits must be positive.", nameof(options));
        }

        return new GrpcChannel(target, ParseTarget(target, options.UseTls), options);
    }

    /// <summary>Makes a unary call and returns the response message.</summary>
    /// <exception cref="RpcException">The call ended with a non-OK status.</exception>
    public Task<TResponse> UnaryAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        CallOptions options = default,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        UnaryCoreAsync(method, request, options, metadata: null, cancellationToken);

    /// <summary>Makes a unary call and returns the response with the server's response headers and trailers.</summary>
    /// <exception cref="RpcException">The call ended with a non-OK status.</exception>
    internal async Task<UnaryCallResult<TResponse>> UnaryCallAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        CallOptions options = default,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var metadata = new ResponseMetadata();
        TResponse response = await UnaryCoreAsync(method, request, options, metadata, cancellationToken).ConfigureAwait(false);
        return new UnaryCallResult<TResponse>(response, metadata.Headers, metadata.Trailers);
    }

    /// <summary>
    /// Starts a bidirectional streaming call. The request headers are sent right away; dispose the call to cancel it.
    /// </summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        CallOptions options = default,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new DuplexStreamingCall<TRequest, TResponse>(this, method, options, cancellationToken);
    }

    /// <summary>Closes all connections; calls in flight fail.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (HttpMessageInvoker invoker in _invokers)
            {
                invoker.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => Target;

    internal HttpMessageInvoker NextInvoker()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_invokers.Length == 1)
        {
            return _invokers[0];
        }

        uint index = (uint)Interlocked.Increment(ref _nextInvoker);
        return _invokers[index % (uint)_invokers.Length];
    }

    internal HttpRequestMessage CreateRequest(object method, string fullName, HttpContent content, in CallOptions options)
    {
        Uri uri = _methodUris.GetOrAdd(method, static (_, state) => new Uri(state.Base, state.Path), (Base: _baseUri, Path: fullName));
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };

        // gRPC C-core rejects calls without "te: trailers".
        request.Headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
        request.Headers.TryAddWithoutValidation("user-agent", _userAgent);
        if (GrpcProtocol.EffectiveTimeout(options.Timeout) is { } timeout)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(timeout));
        }

        if (options.Headers is { Count: > 0 } headers)
        {
            foreach (Metadata.Entry entry in headers.Entries)
            {
                request.Headers.TryAddWithoutValidation(entry.Key, entry.Text);
            }
        }

        return request;
    }

    private static Uri ParseTarget(string target, bool useTls)
    {
        string text = target.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = (useTls ? "https://" : "http://") + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !HasExplicitPort(text))
        {
            throw new ArgumentException($"Invalid gRPC target '{target}': expected host:port, http://host:port or https://host:port.", nameof(target));
        }

        if (useTls && uri.Scheme == Uri.UriSchemeHttp && target.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Target '{target}' is http:// but the options ask for TLS.", nameof(target));
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static bool HasExplicitPort(string url)
    {
        string authority = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        int slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            authority = authority[..slash];
        }

        int colon = authority.LastIndexOf(':');
        return colon > authority.LastIndexOf(']') && colon < authority.Length - 1;
    }

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // The 101st concurrent stream on a connection would otherwise queue silently behind the server's limit.
            EnableMultipleHttp2Connections = true,
            // gRPC servers send GOAWAY "too_many_pings" for pings more often than every few seconds.
            KeepAlivePingDelay = options.KeepAlivePingDelay < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            InitialHttp2StreamWindowSize = 1024 * 1024,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };

        var ssl = new SslClientAuthenticationOptions();
        if (options.ClientCertificate is { } clientCertificate)
        {
            ssl.ClientCertificates = [clientCertificate];
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        if (options.RemoteCertificateValidation is { } validation)
        {
            ssl.RemoteCertificateValidationCallback = validation;
        }
        else if (options.RootCertificates is { Count: > 0 } roots)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CertificateValidation.ValidateWithRoots(certificate, errors, roots);
        }

        handler.SslOptions = ssl;
        return handler;
    }
}
