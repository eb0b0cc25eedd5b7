using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Retry.Internal;

namespace TiKV.Client.Diagnostics.Internal;

/// <summary>
/// The client's instruments, all on one <see cref="Meter"/> named "TiKV.Client". They mirror client-go's
/// tikv_client_go_request_seconds, backoff_seconds, region_err_total, batch_best_size, batch_pending_requests and
/// region_cache_operations_total.
/// </summary>
internal static class ClientMetrics
{
    public const string Name = "TiKV.Client";

    public static readonly Meter Meter = new(Name, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());

    public static readonly ActivitySource ActivitySource = new(Name, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "tikv.client.request.duration", unit: "s", description: "Duration of requests sent to stores, by command.");

    private static readonly Histogram<double> BackoffDuration = Meter.CreateHistogram<double>(
        "tikv.client.backoff.duration", unit: "s", description: "Backoff sleeps, by backoff kind.");

    private static readonly Counter<long> RegionErrors = Meter.CreateCounter<long>(
        "tikv.client.region_errors", unit: "{error}", description: "Region errors returned by stores, by kind.");

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "tikv.client.batch.size", unit: "{request}", description: "Requests per BatchCommands message.");

    private static readonly UpDownCounter<long> PendingRequests = Meter.CreateUpDownCounter<long>(
        "tikv.client.batch.pending_requests", unit: "{request}", description: "Requests queued or in flight on BatchCommands streams.");

    private static readonly Counter<long> RegionCacheOperations = Meter.CreateCounter<long>(
        "tikv.client.region_cache.operations", unit: "{operation}", description: "Region cache lookups (hit or miss) and regions dropped (invalidated or expired).");

    // The region caches of live clients, observed when a listener collects (weakly held: an undisposed client's
    // cache still goes away with it).
    private static readonly ConditionalWeakTable<RegionCache, object?> RegionCaches = [];

    private static readonly ObservableUpDownCounter<long> CachedRegions = Meter.CreateObservableUpDownCounter(
        "tikv.client.region_cache.regions", ObserveCachedRegions, unit: "{region}", description: "Regions held in the region caches of all clients.");

    private static readonly Counter<long> TsoBatches = Meter.CreateCounter<long>(
        "tikv.client.tso.requests", unit: "{request}", description: "TSO requests sent to PD (each serves a batch of callers).");

    /// <summary>
    /// The timestamp a request's duration is measured from, or 0 when nobody listens to the duration histogram
    /// (reading the clock costs tens of nanoseconds on every request otherwise).
    /// </summary>
    public static long RequestStart(TimeProvider timeProvider) => RequestDuration.Enabled ? timeProvider.GetTimestamp() : 0;

    public static void RecordRequest(string command, long started, TimeProvider timeProvider)
    {
        // started is 0 when a listener subscribed while the request was out: that one request goes unmeasured.
        if (started != 0 && RequestDuration.Enabled)
        {
            RequestDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("command", command));
        }
    }

    public static void RecordBackoff(BackoffKind kind, TimeSpan sleep)
    {
        if (BackoffDuration.Enabled)
        {
            BackoffDuration.Record(sleep.TotalSeconds, new KeyValuePair<string, object?>("kind", BackoffPolicy.Name(kind)));
        }
    }

    public static void RecordRegionError(RegionErrorKind kind)
    {
        if (RegionErrors.Enabled)
        {
            RegionErrors.Add(1, new KeyValuePair<string, object?>("kind", Locate.Internal.RegionErrors.Name(kind)));
        }
    }

    public static void RecordBatch(int size)
    {
        if (BatchSize.Enabled)
        {
            BatchSize.Record(size);
        }
    }

    public static void AddPending(int delta)
    {
        if (PendingRequests.Enabled)
        {
            PendingRequests.Add(delta);
        }
    }

    public static void RecordTsoRequest() => TsoBatches.Add(1);

    /// <summary>One region cache operation: <c>hit</c>, <c>miss</c>, <c>invalidate</c> or <c>expire</c>.</summary>
    public static void RecordRegionCache(string type, int count = 1)
    {
        if (RegionCacheOperations.Enabled)
        {
            RegionCacheOperations.Add(count, new KeyValuePair<string, object?>("type", type));
        }
    }

    public static void TrackRegionCache(RegionCache cache) => RegionCaches.AddOrUpdate(cache, null);

    public static void UntrackRegionCache(RegionCache cache) => RegionCaches.Remove(cache);

    private static long ObserveCachedRegions()
    {
        long total = 0;
        foreach (var (cache, _) in RegionCaches)
        {
            total += cache.Count;
        }

        return total;
    }
}
