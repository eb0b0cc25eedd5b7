using System.Collections.Concurrent;
using TiKV.Client.Pd.Internal;
using TiKV.Grpc;
using TiKV.Proto.Metapb;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Tests.Fakes;

/// <summary>A scripted pdpb.PD server on a loopback port: members, one region, stores and TSO.</summary>
internal sealed class FakePdServer : IAsyncDisposable
{
    private readonly GrpcServer _server = new();
    private long _logical;

    private FakePdServer()
    {
    }

    public string Address => _server.Address;

    /// <summary>Cluster id put in response headers.</summary>
    public ulong ClusterId { get; set; } = 1;

    /// <summary>Who this server says the leader is ("http://host:port").</summary>
    public Func<string> Leader { get; set; } = () => string.Empty;

    public Func<IEnumerable<string>> Members { get; set; } = () => [];

    private int _regionCalls;

    public int RegionCalls => Volatile.Read(ref _regionCalls);

    public ConcurrentQueue<uint> TsoCounts { get; } = new();

    /// <summary>When set, the TSO handler waits for it before answering the first request.</summary>
    public TaskCompletionSource? FirstTsoGate { get; set; }

    /// <summary>When positive, the TSO stream is failed after this many answers.</summary>
    public int FailTsoStreamAfter { get; set; }

    public static async Task<FakePdServer> StartAsync()
    {
        var pd = new FakePdServer();
        pd.Map();
        await pd._server.StartAsync("127.0.0.1", 0);
        pd.Leader = () => "http://" + pd.Address;
        pd.Members = () => ["http://" + pd.Address];
        return pd;
    }

    public Task StopAsync() => _server.StopAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private ResponseHeader Header() => new() { ClusterId = ClusterId };

    private ResponseHeader ErrorHeader(ErrorType type, string message) =>
        new() { ClusterId = ClusterId, Error = new Error { Type = type, Message = message } };

    private void Map()
    {
        _server.MapUnary(PdMethods.GetMembers, (_, _) =>
        {
            var response = new GetMembersResponse { Header = Header(), Leader = new Member { Name = "leader" } };
            response.Leader.ClientUrls.Add(Leader());
            foreach (var url in Members())
            {
                var member = new Member { Name = url };
                member.ClientUrls.Add(url);
                response.Members.Add(member);
            }

            return ValueTask.FromResult(response);
        });
        _server.MapUnary(PdMethods.GetRegion, (_, _) =>
        {
            Interlocked.Increment(ref _regionCalls);
            var region = FakePdClient.MakeRegion(1, string.Empty, string.Empty);
            return ValueTask.FromResult(new GetRegionResponse { Header = Header(), Region = region, Leader = region.Peers[0] });
        });
        _server.MapUnary(PdMethods.GetStore, (request, _) =>
        {
            // Real PD's answers: store 1 exists; any other id is reported with an UNKNOWN header error.
            var response = request.StoreId == 1
                ? new GetStoreResponse { Header = Header(), Store = new Store { Id = 1, Address = "127.0.0.1:1" } }
                : new GetStoreResponse { Header = ErrorHeader(ErrorType.Unknown, $"invalid store ID {request.StoreId}, not found") };
            return ValueTask.FromResult(response);
        });
        _server.MapUnary(PdMethods.GetAllStores, (_, _) =>
            ValueTask.FromResult(new GetAllStoresResponse { Header = ErrorHeader(ErrorType.Unknown, "the server is overloaded") }));
        _server.MapDuplexStreaming(PdMethods.Tso, async (requests, responses, context) =>
        {
            var answered = 0;
            while (await requests.MoveNextAsync(context.CancellationToken))
            {
                var request = requests.Current;
                if (FirstTsoGate is { } gate && TsoCounts.IsEmpty)
                {
                    TsoCounts.Enqueue(request.Count);
                    await gate.Task;
                }
                else
                {
                    TsoCounts.Enqueue(request.Count);
                }

                var logical = Interlocked.Add(ref _logical, request.Count);
                await responses.WriteAsync(new TsoResponse
                {
                    Header = Header(),
                    Count = request.Count,
                    Timestamp = new Timestamp { Physical = 1_000, Logical = logical },
                });
                if (FailTsoStreamAfter > 0 && ++answered >= FailTsoStreamAfter)
                {
                    FailTsoStreamAfter = 0;
                    throw new RpcException(StatusCode.Unavailable, "TSO stream reset for the test");
                }
            }
        });
    }
}
