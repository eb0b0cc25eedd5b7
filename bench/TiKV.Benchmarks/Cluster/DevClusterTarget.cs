using Google.Protobuf;
using TiKV.DevCluster;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Metapb;

namespace TiKV.Benchmarks.Cluster;

/// <summary>
/// A started default DevCluster loaded with raw keys, and the store the load goes to. The generator talks
/// to one store over BatchCommands, so every key must live in a region led by that store: the cluster is
/// checked to hold a single region (a fresh cluster does) and its leader is the target.
/// </summary>
internal sealed class DevClusterTarget : IAsyncDisposable
{
    private readonly DevCluster.DevCluster _cluster;
    private readonly Context _context;

    private DevClusterTarget(DevCluster.DevCluster cluster, string storeAddress, Context context)
    {
        _cluster = cluster;
        StoreAddress = storeAddress;
        _context = context;
    }

    public string StoreAddress { get; }

    public static async Task<DevClusterTarget> StartAsync(IReadOnlyList<ByteString> keys, CancellationToken cancellationToken)
    {
        var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions(), cancellationToken);
        var regions = cluster.GetRegions();
        if (regions.Count != 1)
        {
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"Expected a fresh cluster with one region, found {regions.Count}.");
        }

        var region = regions[0];
        var leaderIndex = region.PeerStoreIds.ToList().IndexOf(region.LeaderStoreId);
        var context = new Context
        {
            RegionId = region.Id,
            RegionEpoch = new RegionEpoch { Version = region.Version, ConfVer = region.ConfVer },
            Peer = new Peer { Id = region.PeerIds[leaderIndex], StoreId = region.LeaderStoreId },
        };
        var address = cluster.Stores.Single(s => s.Id == region.LeaderStoreId).Address;

        await using (var channel = GrpcChannel.Create(address))
        {
            var value = ByteString.CopyFrom(new byte[16]);
            foreach (var chunk in keys.Chunk(512))
            {
                var put = new RawBatchPutRequest { Context = context };
                put.Pairs.AddRange(chunk.Select(k => new KvPair { Key = k, Value = value }));
                var response = await channel.UnaryAsync(TikvMethods.RawBatchPut, put, cancellationToken: cancellationToken);
                if (response.RegionError is not null || response.Error.Length > 0)
                {
                    await cluster.DisposeAsync();
                    throw new InvalidOperationException($"RawBatchPut failed: {response}");
                }
            }
        }

        return new DevClusterTarget(cluster, address, context);
    }

    public Context ContextOf(ByteString key) => _context;

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
