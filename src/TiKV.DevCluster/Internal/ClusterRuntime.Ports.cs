using System.Collections.Concurrent;
using TiKV.DevCluster.Internal.Persistence;
using TiKV.DevCluster.Internal.Store;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// Which ports the stores asked for, and which ports were busy at start-up. A durable cluster remembers both the
/// ports its stores listened on and the ports it asked for: reopened, it listens on the same ports again so cached
/// addresses stay valid, but a port it once got as an ephemeral one may have been handed to another process since,
/// and then it takes a free port as a fresh start would, and says so.
/// </summary>
internal sealed partial class ClusterRuntime
{
    private readonly ConcurrentDictionary<ulong, (int Port, int StatusPort)> _requestedPorts = new();
    private readonly Dictionary<ulong, (int Port, int StatusPort)> _savedPorts = [];
    private IReadOnlyList<DevPortFallback> _portFallbacks = [];

    /// <summary>Ports that were busy when the cluster started, and the ports used instead.</summary>
    public IReadOnlyList<DevPortFallback> PortFallbacks => Volatile.Read(ref _portFallbacks);

    /// <summary>The ports <paramref name="store"/> asked for when it was created (0 = ephemeral).</summary>
    public (int Port, int StatusPort) RequestedPortsOf(StoreNode store) => _requestedPorts.GetValueOrDefault(store.Id);

    /// <summary>
    /// The port a restored store starts on: the one it listened on last time, unless that was an ephemeral port which
    /// is now busy; then 0, and <paramref name="saved"/> is remembered to report the fallback.
    /// </summary>
    private static int RestoredPort(string host, int saved, int requested, out bool fellBack)
    {
        fellBack = requested == 0 && saved != 0 && !PortBinding.IsFree(host, saved);
        return fellBack ? 0 : saved;
    }

    private static (StoreNode Store, (int Port, int StatusPort) Saved) RestoreStore(DevClusterOptions options, StoreRecord record, Microsoft.Extensions.Logging.ILogger logger)
    {
        var port = RestoredPort(options.Host, record.Port, record.RequestedPort ?? 0, out var portBusy);
        var statusPort = RestoredPort(options.Host, record.StatusPort, record.RequestedStatusPort ?? 0, out var statusBusy);
        var store = new StoreNode(record.Id, options.Host, port, statusPort, logger, options.TimeProvider)
        {
            MetaState = (Proto.Metapb.StoreState)record.State,
        };
        if (portBusy)
        {
            Log.PortFallback(logger, record.Port, $"store {record.Id}");
        }

        if (statusBusy)
        {
            Log.PortFallback(logger, record.StatusPort, $"store {record.Id} status");
        }

        return (store, (portBusy ? record.Port : 0, statusBusy ? record.StatusPort : 0));
    }

    /// <summary>Records, once PD and the stores listen, every port that was busy and the one used instead.</summary>
    private void CollectPortFallbacks(IReadOnlyDictionary<ulong, (int Port, int StatusPort)> askedPorts)
    {
        var fallbacks = new List<DevPortFallback>();
        if (Options.PdPort != 0 && Pd.Port != Options.PdPort)
        {
            fallbacks.Add(new DevPortFallback("PD", Options.PdPort, Pd.Port));
        }

        foreach (var store in Stores)
        {
            var asked = askedPorts.GetValueOrDefault(store.Id);
            var saved = _savedPorts.GetValueOrDefault(store.Id);
            var port = saved.Port != 0 ? saved.Port : asked.Port;
            var statusPort = saved.StatusPort != 0 ? saved.StatusPort : asked.StatusPort;
            if (store.IsUp && port != 0 && store.Port != port)
            {
                fallbacks.Add(new DevPortFallback($"store {store.Id}", port, store.Port));
            }

            if (store.IsUp && statusPort != 0 && store.StatusPort != statusPort)
            {
                fallbacks.Add(new DevPortFallback($"store {store.Id} status", statusPort, store.StatusPort));
            }
        }

        Volatile.Write(ref _portFallbacks, fallbacks);
    }
}
