using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>A store's request counters, exposed in Prometheus text format on its status port.</summary>
internal sealed class StoreMetrics
{
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _regionErrors = new(StringComparer.Ordinal);
    private long _batchStreams;
    private long _inFlight;

    /// <summary>Requests currently executing (reported as BatchCommands' transport_layer_load).</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Counts one request of <paramref name="method"/>.</summary>
    public void Request(string method) => _requests.AddOrUpdate(method, 1, static (_, v) => v + 1);

    /// <summary>Counts one region error of <paramref name="kind"/>.</summary>
    public void RegionError(string kind) => _regionErrors.AddOrUpdate(kind, 1, static (_, v) => v + 1);

    /// <summary>Counts an opened BatchCommands stream.</summary>
    public void BatchStreamOpened() => Interlocked.Increment(ref _batchStreams);

    /// <summary>Marks a request as started; dispose the result when it ends.</summary>
    public InFlightScope Begin()
    {
        Interlocked.Increment(ref _inFlight);
        return new InFlightScope(this);
    }

    /// <summary>Renders the counters in the Prometheus text exposition format.</summary>
    public string Render(ulong storeId, int leaderCount, int regionCount)
    {
        var text = new StringBuilder();
        var store = storeId.ToString(CultureInfo.InvariantCulture);
        text.Append("# HELP tikv_devcluster_requests_total Requests handled, by tikvpb method.\n");
        text.Append("# TYPE tikv_devcluster_requests_total counter\n");
        foreach (var (method, count) in _requests.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"tikv_devcluster_requests_total{{store=\"{store}\",method=\"{method}\"}} {count}\n");
        }

        text.Append("# HELP tikv_devcluster_region_errors_total Region errors returned, by kind.\n");
        text.Append("# TYPE tikv_devcluster_region_errors_total counter\n");
        foreach (var (kind, count) in _regionErrors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"tikv_devcluster_region_errors_total{{store=\"{store}\",type=\"{kind}\"}} {count}\n");
        }

        text.Append("# HELP tikv_devcluster_batch_streams_total BatchCommands streams opened.\n");
        text.Append("# TYPE tikv_devcluster_batch_streams_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"tikv_devcluster_batch_streams_total{{store=\"{store}\"}} {Interlocked.Read(ref _batchStreams)}\n");
        text.Append("# HELP tikv_devcluster_region_count Regions with a peer on this store.\n");
        text.Append("# TYPE tikv_devcluster_region_count gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"tikv_devcluster_region_count{{store=\"{store}\"}} {regionCount}\n");
        text.Append("# HELP tikv_devcluster_leader_count Regions led by this store.\n");
        text.Append("# TYPE tikv_devcluster_leader_count gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"tikv_devcluster_leader_count{{store=\"{store}\"}} {leaderCount}\n");
        return text.ToString();
    }

    /// <summary>Ends an in-flight request when disposed.</summary>
    internal readonly struct InFlightScope(StoreMetrics metrics) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Interlocked.Decrement(ref metrics._inFlight);
    }
}
