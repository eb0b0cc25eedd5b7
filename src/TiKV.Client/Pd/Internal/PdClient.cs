using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Pd.Internal;

/// <summary>
/// Talks to the PD cluster: discovers the leader through GetMembers on any known endpoint, sends every
/// request to the leader with the cluster id in its header, rejects answers from another cluster, and on
/// a transport failure rediscovers the leader (PD followers answer "not leader") and retries once. Members
/// are refreshed every minute as client-go's PD client does, so new endpoints are learned.
/// </summary>
internal sealed partial class PdClient : IPdClient
{
    private static readonly TimeSpan MemberRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _memberLock = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TiKVClientOptions _options;
    private readonly GrpcChannelOptions _channelOptions;
    private readonly ILogger _logger;
    private readonly string[] _seeds;
    private readonly TsoDispatcher _tso;
    private string[] _members = [];
    private PdLeader? _leader;
    private long _generation;
    private ulong _clusterId;
    private Task? _refreshLoop;
    private int _disposed;

    private PdClient(TiKVClientOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _logger = loggerFactory.CreateLogger("TiKV.Client.Pd");
        _channelOptions = ChannelOptionsFactory.Create(options, options.PdTimeout);
        _seeds = options.PdEndpoints.Select(e => PdEndpoint.TryParse(e, out var t) ? t : e).Distinct(StringComparer.Ordinal).ToArray();
        _tso = new TsoDispatcher(this, options, loggerFactory.CreateLogger("TiKV.Client.Tso"));
    }

    public ulong ClusterId => Volatile.Read(ref _clusterId);

    /// <summary>The PD endpoints this client knows: the configured ones plus members learned from PD.</summary>
    public IReadOnlyList<string> KnownEndpoints => [.. _seeds.Union(Volatile.Read(ref _members), StringComparer.Ordinal)];

    /// <summary>The PD leader's address, empty while unknown.</summary>
    public string LeaderTarget => Volatile.Read(ref _leader)?.Target ?? string.Empty;

    internal CancellationToken ShutdownToken => _shutdown.Token;

    internal TiKVClientOptions Options => _options;

    /// <summary>Finds the PD leader; fails fast with every endpoint and its error when none answers.</summary>
    public static async Task<PdClient> ConnectAsync(TiKVClientOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var client = new PdClient(options, loggerFactory);
        try
        {
            await client.UpdateMembersAsync(staleGeneration: -1, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        client._refreshLoop = client.RefreshLoopAsync();
        client._tso.Start();
        return client;
    }

    public ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken) => _tso.GetTimestampAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _tso.DisposeAsync().ConfigureAwait(false);
        if (_refreshLoop is not null)
        {
            await _refreshLoop.ConfigureAwait(false);
        }

        foreach (var channel in _channels.Values)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        _channels.Clear();
        _shutdown.Dispose();
        _memberLock.Dispose();
    }

    internal RequestHeader NewHeader() => new() { ClusterId = ClusterId };

    /// <summary>The current leader, discovering it first if an earlier failure cleared it.</summary>
    internal async ValueTask<PdLeader> GetLeaderAsync(CancellationToken cancellationToken)
    {
        var leader = Volatile.Read(ref _leader);
        if (leader is not null)
        {
            return leader;
        }

        await UpdateMembersAsync(Volatile.Read(ref _generation), cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _leader) ?? throw new PdException("PD has no leader.", isRetryable: true);
    }

    /// <summary>
    /// Called after a call to <paramref name="failed"/> broke: rediscover the leader unless another caller
    /// already did so since.
    /// </summary>
    internal Task OnLeaderFailureAsync(PdLeader failed, CancellationToken cancellationToken) =>
        UpdateMembersAsync(failed.Generation, cancellationToken);

    /// <summary>Checks a PD response header: same cluster, no error. Returns the error type for callers that accept some.</summary>
    internal ErrorType CheckHeader(ResponseHeader? header, string method, string target)
    {
        var clusterId = ClusterId;
        if (header is not null && header.ClusterId != 0 && clusterId != 0 && header.ClusterId != clusterId)
        {
            throw new PdException(
                $"PD at {target} answered {method} for cluster {header.ClusterId}, but this client is connected to cluster {clusterId}.",
                isRetryable: false);
        }

        var error = header?.Error;
        if (error is null || error.Type == ErrorType.Ok)
        {
            return ErrorType.Ok;
        }

        if (error.Type is ErrorType.RegionNotFound or ErrorType.EntryNotFound)
        {
            return error.Type;
        }

        var retryable = error.Type is ErrorType.NotBootstrapped or ErrorType.Unknown or ErrorType.DataCompacted;
        throw new PdException($"PD at {target} failed {method}: {error.Type} {error.Message}", retryable);
    }

    /// <summary>Sends a unary request to the leader; on a transport failure rediscovers the leader and tries once more.</summary>
    internal async Task<TResponse> CallAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        CancellationToken cancellationToken)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        RpcException? last = null;
        PdLeader? leader = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            leader = await GetLeaderAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await leader.Channel.UnaryAsync(method, request, new CallOptions(_options.PdTimeout), cancellationToken).ConfigureAwait(false);
            }
            // Once the caller has cancelled, the status the call ended with (Cancelled, or a transport failure that
            // raced the cancellation) no longer matters: the caller asked to stop and gets OperationCanceledException.
            catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw CallerCancellation.ToCanceled(ex, cancellationToken);
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex;
                Log.PdCallFailed(_logger, method.Name, leader.Target, ex.StatusCode, ex.Detail);
                if (attempt == 0)
                {
                    await OnLeaderFailureAsync(leader, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        throw new PdException($"PD {method.Name} failed at {leader?.Target}: {last?.StatusCode} {last?.Detail}", isRetryable: true, last);
    }

    private GrpcChannel ChannelFor(string target) =>
        _channels.GetOrAdd(target, static (t, options) => GrpcChannel.Create(t, options), _channelOptions);

    private async Task UpdateMembersAsync(long staleGeneration, CancellationToken cancellationToken)
    {
        await _memberLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (staleGeneration >= 0 && Volatile.Read(ref _generation) != staleGeneration && Volatile.Read(ref _leader) is not null)
            {
                return;
            }

            var errors = new List<string>();
            var targets = KnownEndpoints;
            foreach (var target in targets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                GetMembersResponse response;
                try
                {
                    response = await ChannelFor(target)
                        .UnaryAsync(PdMethods.GetMembers, new GetMembersRequest { Header = NewHeader() }, new CallOptions(_options.PdTimeout), cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
                {
                    throw CallerCancellation.ToCanceled(ex, cancellationToken);
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    errors.Add($"{target}: {ex.StatusCode} {ex.Detail}");
                    continue;
                }

                if (TryAdopt(target, response, out var problem))
                {
                    return;
                }

                errors.Add($"{target}: {problem}");
            }

            Volatile.Write(ref _leader, null);
            throw new PdException(
                $"Cannot reach a PD leader at {string.Join(", ", targets)} ({string.Join("; ", errors)}).",
                isRetryable: true);
        }
        finally
        {
            _memberLock.Release();
        }
    }

    private bool TryAdopt(string target, GetMembersResponse response, out string problem)
    {
        var clusterId = response.Header?.ClusterId ?? 0;
        var known = ClusterId;
        if (known != 0 && clusterId != known)
        {
            problem = $"belongs to cluster {clusterId}, not {known}";
            return false;
        }

        if (response.Header?.Error is { Type: not ErrorType.Ok } error)
        {
            problem = $"{error.Type} {error.Message}";
            return false;
        }

        var leaderUrl = response.Leader?.ClientUrls.FirstOrDefault(u => PdEndpoint.TryParse(u, out _));
        if (leaderUrl is null || !PdEndpoint.TryParse(leaderUrl, out var leaderTarget))
        {
            problem = "no PD leader elected";
            return false;
        }

        leaderTarget = PdEndpoint.ForTls(leaderTarget, _options.Tls is not null);
        var members = new List<string>();
        foreach (var member in response.Members)
        {
            foreach (var url in member.ClientUrls)
            {
                if (PdEndpoint.TryParse(url, out var t))
                {
                    members.Add(PdEndpoint.ForTls(t, _options.Tls is not null));
                }
            }
        }

        Volatile.Write(ref _members, members.ToArray());
        Volatile.Write(ref _clusterId, clusterId);
        var previous = Volatile.Read(ref _leader);
        if (previous?.Target != leaderTarget)
        {
            Log.PdLeaderChanged(_logger, previous?.Target ?? "(none)", leaderTarget, clusterId, target);
        }

        var generation = Interlocked.Increment(ref _generation);
        Volatile.Write(ref _leader, new PdLeader(leaderTarget, ChannelFor(leaderTarget), generation));
        problem = string.Empty;
        return true;
    }

    private async Task RefreshLoopAsync()
    {
        var token = _shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(MemberRefreshInterval, _options.TimeProvider, token).ConfigureAwait(false);
                await UpdateMembersAsync(staleGeneration: -1, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (PdException ex)
            {
                Log.PdMemberRefreshFailed(_logger, ex.Message);
            }
        }
    }
}
