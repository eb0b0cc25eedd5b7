using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using TiKV.DevCluster.Internal.Status;
using TiKV.Grpc;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// One TiKV store as a serving endpoint: its gRPC server (<c>tikvpb.Tikv</c>), its HTTP status server and its
/// liveness. Data lives in the cluster's shared replicated state, so stopping or killing a store loses nothing
/// that was acknowledged; while it is down its ports refuse connections, and a restart binds the same ports.
/// </summary>
internal sealed class StoreNode : IAsyncDisposable
{
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private GrpcServer? _grpc;
    private StatusServer? _status;
    private CancellationTokenSource _life = new();
    private volatile bool _up;
    private volatile int _metaState;

    /// <summary>Creates a store that is not yet serving.</summary>
    public StoreNode(ulong id, string host, int port, int statusPort, ILogger logger, TimeProvider timeProvider)
    {
        Id = id;
        Host = host;
        Port = port;
        StatusPort = statusPort;
        _logger = logger;
        _timeProvider = timeProvider;
        DownSince = timeProvider.GetUtcNow();
    }

    /// <summary>The store id.</summary>
    public ulong Id { get; }

    /// <summary>The advertised host.</summary>
    public string Host { get; }

    /// <summary>The gRPC port (the requested one until the first start binds it).</summary>
    public int Port { get; private set; }

    /// <summary>The status port (the requested one until the first start binds it).</summary>
    public int StatusPort { get; private set; }

    /// <summary>Whether the first start had to use another port than requested.</summary>
    public bool PortFellBack { get; private set; }

    /// <summary>Whether the first start had to use another status port than requested.</summary>
    public bool StatusPortFellBack { get; private set; }

    /// <summary>The gRPC address <c>host:port</c>.</summary>
    public string Address => PortBinding.Format(Host, Port);

    /// <summary>The status address <c>host:port</c>.</summary>
    public string StatusAddress => PortBinding.Format(Host, StatusPort);

    /// <summary>
    /// The store's state in PD's metadata: Up while it is a member, Offline while PD moves its peers away,
    /// Tombstone once it holds none and has left the cluster.
    /// </summary>
    public StoreState MetaState
    {
        get => (StoreState)_metaState;
        set => _metaState = (int)value;
    }

    /// <summary>Whether the store is a member PD schedules onto (neither Offline nor Tombstone).</summary>
    public bool IsMember => MetaState == StoreState.Up;

    /// <summary>Whether the store is serving.</summary>
    public bool IsUp => _up;

    /// <summary>When the store went down (or was created), null while it is up.</summary>
    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Unix seconds of the latest start (metapb.Store.start_timestamp).</summary>
    public long StartTimestamp { get; private set; }

    /// <summary>Request counters.</summary>
    public StoreMetrics Metrics { get; } = new();

    /// <summary>Cancelled when the current run of the store ends; in-flight requests observe it.</summary>
    public CancellationToken LifeToken => _life.Token;

    /// <summary>
    /// Starts serving: <paramref name="map"/> registers the gRPC methods on a fresh server, <paramref name="status"/>
    /// answers status requests. The first start may fall back to free ports when <paramref name="fallBack"/> is set.
    /// </summary>
    public async Task StartAsync(
        Action<GrpcServer> map,
        Func<string, (int, string, string)> status,
        GrpcServerOptions serverOptions,
        bool fallBack,
        CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_up)
            {
                return;
            }

            var firstStart = StartTimestamp == 0;
            var life = new CancellationTokenSource();
            var (grpc, fellBack) = await PortBinding.StartGrpcAsync(
                () =>
                {
                    var server = new GrpcServer(serverOptions);
                    map(server);
                    return server;
                },
                Host,
                Port,
                fallBack && firstStart,
                cancellationToken).ConfigureAwait(false);

            StatusServer statusServer;
            try
            {
                statusServer = StartStatus(status, fallBack && firstStart, out var statusFellBack);
                StatusPortFellBack |= statusFellBack;
            }
            catch
            {
                await grpc.DisposeAsync().ConfigureAwait(false);
                life.Dispose();
                throw;
            }

            if (fellBack)
            {
                Log.PortFallback(_logger, Port, $"store {Id}");
                PortFellBack = true;
            }

            _grpc = grpc;
            _status = statusServer;
            Port = grpc.Port;
            StatusPort = statusServer.Port;
            var old = _life;
            _life = life;
            old.Dispose();
            StartTimestamp = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            DownSince = null;
            _up = true;
            Log.StoreStarted(_logger, Id, Address, StatusAddress);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops serving. A graceful stop lets in-flight calls finish (up to the server's shutdown timeout); an abrupt
    /// one (a kill) cancels in-flight requests and resets connections at once.
    /// </summary>
    public async Task StopAsync(bool abrupt, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_up)
            {
                return;
            }

            _up = false;
            DownSince = _timeProvider.GetUtcNow();
            if (abrupt)
            {
                await _life.CancelAsync().ConfigureAwait(false);
            }

            var grpc = _grpc!;
            var status = _status!;
            _grpc = null;
            _status = null;
            if (abrupt)
            {
                using var aborted = new CancellationTokenSource();
                await aborted.CancelAsync().ConfigureAwait(false);
                await grpc.StopAsync(aborted.Token).ConfigureAwait(false);
            }
            else
            {
                await grpc.StopAsync(cancellationToken).ConfigureAwait(false);
                await _life.CancelAsync().ConfigureAwait(false);
            }

            await grpc.DisposeAsync().ConfigureAwait(false);
            await status.DisposeAsync().ConfigureAwait(false);
            Log.StoreStopped(_logger, Id, abrupt ? "killed" : "stopped");
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(abrupt: false, CancellationToken.None).ConfigureAwait(false);
        _life.Dispose();
        _lifecycle.Dispose();
    }

    private StatusServer StartStatus(Func<string, (int, string, string)> status, bool fallBack, out bool fellBack)
    {
        fellBack = false;
        try
        {
            return StatusServer.Start(Host, StatusPort, status, _logger);
        }
        catch (SocketException e) when (fallBack && StatusPort != 0 && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            Log.PortFallback(_logger, StatusPort, $"store {Id} status");
            fellBack = true;
            return StatusServer.Start(Host, 0, status, _logger);
        }
    }
}
