using Microsoft.Extensions.Logging;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Rpc.Internal;

namespace TiKV.Client.Internal;

/// <summary>The connected machinery shared by the Raw (and later transactional) APIs.</summary>
internal sealed class ClientCore : IAsyncDisposable
{
    public ClientCore(TiKVClientOptions options, IPdClient pd, IStoreTransport transport, ILoggerFactory loggerFactory)
    {
        Options = options;
        Pd = pd;
        Transport = transport;
        Regions = new RegionCache(pd, options.TimeProvider, options.RegionCacheTtl, options.RegionCacheTtlJitter, loggerFactory.CreateLogger("TiKV.Client.RegionCache"));
        Stores = new StoreCache(pd, loggerFactory.CreateLogger("TiKV.Client.StoreCache"));
        Sender = new RegionRequestSender(Regions, Stores, transport, options.TimeProvider, loggerFactory.CreateLogger("TiKV.Client.Sender"));
    }

    public TiKVClientOptions Options { get; }

    public IPdClient Pd { get; }

    public IStoreTransport Transport { get; }

    public RegionCache Regions { get; }

    public StoreCache Stores { get; }

    public RegionRequestSender Sender { get; }

    public async ValueTask DisposeAsync()
    {
        await Transport.DisposeAsync().ConfigureAwait(false);
        await Pd.DisposeAsync().ConfigureAwait(false);
        Regions.Dispose();
    }
}
