using Google.Protobuf;
using Google.Protobuf.Reflection;
using TiKV.DevCluster.Internal.Faults;
using TiKV.Grpc;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// PD's <c>pdpb.PD</c> service: one PD member that leads itself. Every request except GetMembers must carry this
/// cluster's id (PD answers FAILED_PRECONDITION "mismatch cluster id" otherwise); errors PD reports in the
/// response header are reported there with PD's error type and message.
/// </summary>
internal sealed partial class PdServer : IAsyncDisposable
{
    /// <summary>
    /// The <c>pdpb.PD</c> service descriptor, for validating method names given by users. Built on first use only:
    /// serving needs none (<see cref="PdServiceMethods"/>).
    /// </summary>
    public static ServiceDescriptor Service => PdpbReflection.Descriptor.Services.Single(s => s.Name == "PD");

    private readonly ClusterRuntime _cluster;
    private readonly ulong _memberId;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private GrpcServer? _server;
    private volatile bool _up;

    /// <summary>Creates the PD endpoint of <paramref name="cluster"/>.</summary>
    public PdServer(ClusterRuntime cluster)
    {
        _cluster = cluster;

        // PD derives its member id from its name and the cluster; any stable id that differs from the cluster id will do.
        _memberId = cluster.ClusterId ^ 0x5044_4d45_4d42_4552UL;
    }

    /// <summary>The bound address <c>host:port</c> (kept while stopped: a restart binds it again).</summary>
    public string Address { get; private set; } = "";

    /// <summary>The bound port (0 until the first start).</summary>
    public int Port { get; private set; }

    /// <summary>Whether PD is serving.</summary>
    public bool IsUp => _up;

    /// <summary>Whether the requested port was busy and another one was used.</summary>
    public bool PortFellBack { get; private set; }

    /// <summary>
    /// Binds and starts serving: the first time on <paramref name="port"/> (falling back to a free port when asked
    /// to), after a stop on the port bound before.
    /// </summary>
    public async Task StartAsync(string host, int port, bool fallBack, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_up)
            {
                return;
            }

            var firstStart = Port == 0;
            var (server, fellBack) = await PortBinding.StartGrpcAsync(
                () =>
                {
                    var server = new GrpcServer(_cluster.ServerOptions);
                    Register(server);
                    return server;
                },
                host,
                firstStart ? port : Port,
                fallBack && firstStart,
                cancellationToken).ConfigureAwait(false);
            if (fellBack)
            {
                Log.PortFallback(_cluster.Logger, port, "PD");
                PortFellBack = true;
            }

            _server = server;
            Port = server.Port;
            Address = server.Address;
            _up = true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops serving: open TSO streams end, in-flight calls finish, then the port refuses connections. PD's state
    /// lives in the cluster and survives for <see cref="StartAsync"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is { } server)
            {
                _up = false;
                _server = null;
                await server.StopAsync(cancellationToken).ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private void Register(GrpcServer server)
    {
        Map(server, PdServiceMethods.GetMembers, header: null, GetMembers);
        server.MapDuplexStreaming(PdServiceMethods.Tso, TsoAsync);
        Map(server, PdServiceMethods.Bootstrap, static r => r.Header, Bootstrap);
        Map(server, PdServiceMethods.IsBootstrapped, static r => r.Header, _ => new IsBootstrappedResponse { Header = Header(), Bootstrapped = true });
        Map(server, PdServiceMethods.AllocId, static r => r.Header, AllocId);
        Map(server, PdServiceMethods.GetStore, static r => r.Header, GetStore);
        Map(server, PdServiceMethods.PutStore, static r => r.Header, PutStore);
        Map(server, PdServiceMethods.GetAllStores, static r => r.Header, GetAllStores);
        Map(server, PdServiceMethods.StoreHeartbeat, static r => r.Header, StoreHeartbeat);
        Map(server, PdServiceMethods.GetRegion, static r => r.Header, GetRegion);
        Map(server, PdServiceMethods.GetPrevRegion, static r => r.Header, GetPrevRegion);
        Map(server, PdServiceMethods.GetRegionById, static r => r.Header, GetRegionById);
        Map(server, PdServiceMethods.ScanRegions, static r => r.Header, ScanRegions);
        Map(server, PdServiceMethods.BatchScanRegions, static r => r.Header, BatchScanRegions);
        Map(server, PdServiceMethods.AskBatchSplit, static r => r.Header, AskBatchSplit);
        Map(server, PdServiceMethods.ReportBatchSplit, static r => r.Header, _ => new ReportBatchSplitResponse { Header = Header() });
        Map(server, PdServiceMethods.GetClusterConfig, static r => r.Header, _ => new GetClusterConfigResponse
        {
            Header = Header(),
            Cluster = new Cluster { Id = _cluster.ClusterId, MaxPeerCount = ClusterRuntime.MaxReplicas },
        });
        Map(server, PdServiceMethods.PutClusterConfig, static r => r.Header, PutClusterConfig);
        Map(server, PdServiceMethods.GetGcSafePoint, static r => r.Header, _ => new GetGCSafePointResponse
        {
            Header = Header(),
            SafePoint = _cluster.GcSafePoints.GcSafePoint,
        });
        Map(server, PdServiceMethods.UpdateGcSafePoint, static r => r.Header, UpdateGcSafePoint);
        Map(server, PdServiceMethods.UpdateServiceGcSafePoint, static r => r.Header, UpdateServiceGcSafePoint);
    }

    /// <summary>
    /// Maps a unary PD method. <paramref name="header"/> reads the request's header for the cluster id check; null
    /// for GetMembers, which PD answers before a client knows the cluster id.
    /// </summary>
    private void Map<TRequest, TResponse>(
        GrpcServer server, GrpcMethod<TRequest, TResponse> method, Func<TRequest, RequestHeader?>? header, Func<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        var name = method.Name;
        server.MapUnary(method, (request, context) =>
        {
            if (_cluster.PdFaults.Take(0, name) is { } fault)
            {
                return WithFaultAsync(fault, request, context.CancellationToken);
            }

            if (header is not null)
            {
                ValidateClusterId(header(request));
            }

            return ValueTask.FromResult(handler(request));
        });

        async ValueTask<TResponse> WithFaultAsync(FaultRule fault, TRequest request, CancellationToken cancellationToken)
        {
            await ApplyFaultAsync(fault, name, cancellationToken).ConfigureAwait(false);
            if (header is not null)
            {
                ValidateClusterId(header(request));
            }

            return handler(request);
        }
    }

    /// <summary>An injected PD fault: fail the call with its status, or hold it back.</summary>
    private async ValueTask ApplyFaultAsync(FaultRule fault, string method, CancellationToken cancellationToken)
    {
        switch (fault.Kind)
        {
            case FaultKind.Fail:
                throw new RpcException(fault.Status, $"{method} failed: injected fault");
            case FaultKind.Delay:
                await Task.Delay(fault.Delay, _cluster.Time, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>PD's <c>validateRequest</c>: a header naming another cluster fails the call.</summary>
    private void ValidateClusterId(RequestHeader? header)
    {
        var requested = header?.ClusterId ?? 0;
        if (requested != _cluster.ClusterId)
        {
            throw new RpcException(StatusCode.FailedPrecondition, $"mismatch cluster id, need {_cluster.ClusterId} but got {requested}");
        }
    }

    private ResponseHeader Header() => new() { ClusterId = _cluster.ClusterId };

    private ResponseHeader ErrorHeader(ErrorType type, string message) => new()
    {
        ClusterId = _cluster.ClusterId,
        Error = new Error { Type = type, Message = message },
    };

    private GetMembersResponse GetMembers(GetMembersRequest request)
    {
        var url = "http://" + Address;
        var member = new Member
        {
            Name = "pd",
            MemberId = _memberId,
            PeerUrls = { url },
            ClientUrls = { url },
            BinaryVersion = ClusterRuntime.StoreVersion,
        };
        return new GetMembersResponse { Header = Header(), Members = { member }, Leader = member, EtcdLeader = member };
    }

    private BootstrapResponse Bootstrap(BootstrapRequest request) =>
        new() { Header = ErrorHeader(ErrorType.AlreadyBootstrapped, "cluster is already bootstrapped") };

    private AllocIDResponse AllocId(AllocIDRequest request)
    {
        var count = request.Count == 0 ? 1u : request.Count;
        var id = _cluster.Ids.NextBatch(count);
        _cluster.SaveMetadata();
        var response = new AllocIDResponse { Header = Header(), Id = id };
        if (count > 1)
        {
            response.Count = count;
        }

        return response;
    }

    private PutClusterConfigResponse PutClusterConfig(PutClusterConfigRequest request) =>
        request.Cluster is { } cluster && cluster.MaxPeerCount != 0 && cluster.MaxPeerCount != ClusterRuntime.MaxReplicas
            ? new PutClusterConfigResponse { Header = ErrorHeader(ErrorType.Unknown, $"max-replicas is fixed at {ClusterRuntime.MaxReplicas} in this cluster") }
            : new PutClusterConfigResponse { Header = Header() };

    private UpdateGCSafePointResponse UpdateGcSafePoint(UpdateGCSafePointRequest request) => new()
    {
        Header = Header(),
        NewSafePoint = _cluster.GcSafePoints.UpdateGcSafePoint(request.SafePoint),
    };

    private UpdateServiceGCSafePointResponse UpdateServiceGcSafePoint(UpdateServiceGCSafePointRequest request)
    {
        // PD reads "now" from its own TSO, so service safe point expiry follows the cluster clock.
        var now = TsoAllocator.PhysicalOf(_cluster.Tso.AllocateOne()) / 1000;
        ServiceSafePoint min;
        try
        {
            min = _cluster.GcSafePoints.UpdateServiceSafePoint(request.ServiceId.ToStringUtf8(), request.SafePoint, request.TTL, now);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(StatusCode.Unknown, e.Message.Split(" (Parameter", 2)[0]);
        }

        return new UpdateServiceGCSafePointResponse
        {
            Header = Header(),
            ServiceId = ByteString.CopyFromUtf8(min.ServiceId),
            TTL = min.ExpiredAt == long.MaxValue ? long.MaxValue - now : min.ExpiredAt - now,
            MinSafePoint = min.SafePoint,
        };
    }
}
