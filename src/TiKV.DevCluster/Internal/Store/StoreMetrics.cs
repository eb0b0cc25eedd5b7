using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>A store's request counters, exposed in Prometheus text format on its status port.</summary>
internal sealed class StoreMetrics
{
    /// <summary>The gRPC method names, indexed like <see cref="TikvMethod"/>.</summary>
    private static readonly string[] MethodNames = Enum.GetNames<TikvMethod>();

    /// <summary>Requests per method: one plain counter each, so counting costs one interlocked add on the hot path.</summary>
    private readonly long[] _requests = new long[MethodNames.Length];
    private readonly ConcurrentDictionary<string, long> _regionErrors = new(StringComparer.Ordinal);
    private long _batchStreams;
    private long _inFlight;

    /// <summary>
    /// Requests still running after their handler returned (waiting on a lock, an injected delay or a durable write),
    /// reported as BatchCommands' transport_layer_load; a request served synchronously is never in flight.
    /// </summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>The gRPC method name of <paramref name="method"/>.</summary>
    public static string NameOf(TikvMethod method) => MethodNames[(int)method];

    /// <summary>Counts one request of <paramref name="method"/>.</summary>
    public void Request(TikvMethod method) => Interlocked.Increment(ref _requests[(int)method]);

    /// <summary>Requests of <paramref name="method"/> counted so far.</summary>
    public long Requests(TikvMethod method) => Interlocked.Read(ref _requests[(int)method]);

    /// <summary>Counts one region error of <paramref name="kind"/>.</summary>
    public void RegionError(string kind) => _regionErrors.AddOrUpdate(kind, 1, static (_, v) => v + 1);

    /// <summary>Counts an opened BatchCommands stream.</summary>
    public void BatchStreamOpened() => Interlocked.Increment(ref _batchStreams);

    /// <summary>Marks a request as started; <see cref="End"/> marks it done.</summary>
    public void Begin() => Interlocked.Increment(ref _inFlight);

    /// <summary>Marks a request started with <see cref="Begin"/> as done.</summary>
    public void End() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Renders the counters in the Prometheus text exposition format.</summary>
    public string Render(ulong storeId, int leaderCount, int regionCount)
    {
        var text = new StringBuilder();
        var store = storeId.ToString(CultureInfo.InvariantCulture);
        text.Append("# HELP tikv_devcluster_requests_total Requests handled, by tikvpb method.\n");
        text.Append("# TYPE tikv_devcluster_requests_total counter\n");
        foreach (var method in Enum.GetValues<TikvMethod>().OrderBy(NameOf, StringComparer.Ordinal))
        {
            var count = Requests(method);
            if (count == 0)
            {
                // Like a labelled counter that has not been touched yet: the series appears with its first request.
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"tikv_devcluster_requests_total{{store=\"{store}\",method=\"{NameOf(method)}\"}} {count}\n");
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
}
