using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>
/// A gRPC server on Kestrel, HTTP/2 only (h2c, or TLS when a certificate is given). Map methods, then start.
/// </summary>
public sealed class GrpcServer : IAsyncDisposable
{
    private static readonly Microsoft.Extensions.Primitives.StringValues InternalStatus = GrpcProtocol.StatusString(StatusCode.Internal);

    private readonly GrpcServerOptions _options;
    private readonly Dictionary<string, ServerMethod> _routes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ServerRuntime _runtime;
    private FrozenDictionary<string, ServerMethod>? _frozenRoutes;
    private KestrelServer? _kestrel;
    private WebApplication? _tlsApp;
    private int _state;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    public GrpcServer(GrpcServerOptions? options = null)
    {
        _options = options ?? new GrpcServerOptions();
        ILogger logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("TiKV.Grpc.Server");
        _runtime = new ServerRuntime(_options, logger, _stopping.Token);
    }

    /// <summary>The port actually bound (after <see cref="StartAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary>The host the server listens on.</summary>
    public string Host { get; private set; } = string.Empty;

    /// <summary><c>host:port</c> actually bound, ready to give to a client.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>Routes a unary method to <paramref name="handler"/>.</summary>
    /// <exception cref="ArgumentException">The method is not unary or is already mapped.</exception>
    public void MapUnary<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        CheckType(method.FullName, method.Type, MethodType.Unary);
        AddRoute(new UnaryServerMethod<TRequest, TResponse>(method, handler, _runtime));
    }

    /// <summary>Routes a bidirectional streaming method to <paramref name="handler"/>.</summary>
    /// <exception cref="ArgumentException">The method is not bidirectional streaming or is already mapped.</exception>
    public void MapDuplexStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        CheckType(method.FullName, method.Type, MethodType.DuplexStreaming);
        AddRoute(new DuplexServerMethod<TRequest, TResponse>(method, handler, _runtime));
    }

    /// <summary>Binds <paramref name="host"/>:<paramref name="port"/> (0 picks a free port) and starts serving.</summary>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    public async Task StartAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The server has already been started.");
        }

        lock (_routes)
        {
            _frozenRoutes = _routes.ToFrozenDictionary(StringComparer.Ordinal);
        }

        KestrelServer? kestrel = null;
        WebApplication? tlsApp = null;
        try
        {
            IPAddress address = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
            if (_options.ServerCertificate is null)
            {
                kestrel = CreateKestrel(address, port);
                await kestrel.StartAsync(new KestrelApplication(HandleAsync), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Kestrel's TLS set-up needs services only its host registers, so a TLS server runs in one.
                tlsApp = BuildApplication(address, port);
                tlsApp.Run(HandleAsync);
                await tlsApp.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // A failed bind (e.g. the port is taken) leaves nothing running; the server cannot be started again.
            Volatile.Write(ref _state, 3);
            kestrel?.Dispose();
            if (tlsApp is not null)
            {
                await tlsApp.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        _kestrel = kestrel;
        _tlsApp = tlsApp;

        IServer server = kestrel ?? tlsApp!.Services.GetRequiredService<IServer>();
        string bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        Port = new Uri(bound).Port;
        Host = host;
        Address = (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Stops accepting connections, ends open streams (their handlers see cancellation) and waits for calls to finish,
    /// aborting those still running after <see cref="GrpcServerOptions.ShutdownTimeout"/>. The port is released.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ShutdownTimeout);
        try
        {
            await (_tlsApp is { } app ? app.StopAsync(timeout.Token) : _kestrel!.StopAsync(timeout.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The grace period ran out or the caller cancelled: Kestrel aborts the remaining connections itself and
            // reports it through the logger factory.
        }

        _kestrel?.Dispose();
        if (_tlsApp is not null)
        {
            await _tlsApp.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server if it is running.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private Task HandleAsync(HttpContext httpContext)
    {
        HttpRequest request = httpContext.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            return RejectAsync(httpContext, StatusCodes.Status405MethodNotAllowed, $"HTTP method {request.Method} is not supported; gRPC uses POST.");
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            // The gRPC HTTP/2 spec answers a non-gRPC content-type with 415.
            return RejectAsync(httpContext, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported; expected application/grpc.");
        }

        string path = request.Path.Value ?? string.Empty;
        if (!_frozenRoutes!.TryGetValue(path, out ServerMethod? method))
        {
            ServerResponses.WriteTrailersOnly(httpContext.Response, StatusCode.Unimplemented, $"Method not found: {path}", null, null);
            return Task.CompletedTask;
        }

        return method.HandleAsync(httpContext);
    }

    private static Task RejectAsync(HttpContext httpContext, int httpStatus, string message)
    {
        HttpResponse response = httpContext.Response;
        response.StatusCode = httpStatus;
        response.Headers[GrpcProtocol.StatusHeader] = InternalStatus;
        response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
        return Task.CompletedTask;
    }

    private void AddRoute(ServerMethod method)
    {
        lock (_routes)
        {
            if (_state != 0)
            {
                throw new InvalidOperationException("Methods must be mapped before the server starts.");
            }

            if (!_routes.TryAdd(method.FullName, method))
            {
                throw new ArgumentException($"Method {method.FullName} is already mapped.", nameof(method));
            }
        }
    }

    private static void CheckType(string fullName, MethodType actual, MethodType expected)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Method {fullName} is {actual}, not {expected}.", nameof(actual));
        }
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        string trimmed = host.Trim('[', ']');
        if (string.Equals(trimmed, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel cannot bind port 0 on "localhost" (it means two sockets); the IPv4 loopback is what clients dial.
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(trimmed, out IPAddress? parsed))
        {
            return parsed;
        }

        IPAddress[] addresses = await Dns.GetHostAddressesAsync(trimmed, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0
            ? addresses[0]
            : throw new ArgumentException($"Host '{host}' resolves to no address.", nameof(host));
    }

    private KestrelServer CreateKestrel(IPAddress address, int port)
    {
        var loggerFactory = new KestrelLoggerFactory(_options.LoggerFactory);
        var kestrel = new KestrelServerOptions { ApplicationServices = new KestrelServices(loggerFactory) };
        ConfigureKestrel(kestrel, address, port);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        return new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
    }

    private WebApplication BuildApplication(IPAddress address, int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (_options.LoggerFactory is { } loggerFactory)
        {
            builder.Logging.AddProvider(new KestrelLoggerProvider(loggerFactory));
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _options.ShutdownTimeout);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, address, port));
        return builder.Build();
    }

    private void ConfigureKestrel(KestrelServerOptions kestrel, IPAddress address, int port)
    {
        kestrel.AddServerHeader = false;
        KestrelServerLimits limits = kestrel.Limits;

        // Message size limits are gRPC's own; streaming calls stay idle for long stretches, which Kestrel's
        // data-rate guards would treat as slow clients.
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.Http2.MaxStreamsPerConnection = _options.MaxConcurrentStreams;
        limits.Http2.InitialConnectionWindowSize = 2 * 1024 * 1024;
        limits.Http2.InitialStreamWindowSize = 1024 * 1024;
        limits.Http2.KeepAlivePingDelay = TimeSpan.MaxValue;
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (_options.ServerCertificate is { } certificate)
            {
                listen.UseHttps(CreateHttpsOptions(certificate));
            }
        });
    }

    private HttpsConnectionAdapterOptions CreateHttpsOptions(X509Certificate2 certificate)
    {
        var https = new HttpsConnectionAdapterOptions { ServerCertificate = certificate };
        X509Certificate2Collection? roots = _options.ClientCertificateRoots;
        https.ClientCertificateMode = _options.RequireClientCertificate
            ? ClientCertificateMode.RequireCertificate
            : roots is not null ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate;
        if (roots is not null)
        {
            https.ClientCertificateValidation = (client, _, _) => CertificateValidation.ValidateChain(client, roots);
        }

        return https;
    }
}
