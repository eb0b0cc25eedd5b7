using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using TiKV.DevCluster;

namespace TiKV.Client.Tests.Integration;

/// <summary>The instruments of the "TiKV.Client" meter, recorded by a real client against DevCluster.</summary>
[CollectionDefinition(nameof(ClientMetricsTests), DisableParallelization = true)]
public sealed class ClientMetricsCollection;

/// <summary>
/// The instruments are static and shared by every client in the process, so this class runs alone (no other test
/// class in parallel) and asserts on what its own operations must have added.
/// </summary>
[Collection(nameof(ClientMetricsTests))]
public sealed class ClientMetricsTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly MeterListener _listener = new();
    private TiKV.DevCluster.DevCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "TiKV.Client")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
        _cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 1 });
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Requests_batches_region_errors_and_region_cache_operations_are_measured()
    {
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(_cluster));
        await client.Raw.PutAsync("metrics-a", "1");
        Assert.NotNull(await client.Raw.GetAsync("metrics-a"));

        var fault = _cluster.Faults.InjectRegionError(null, "RawGet", DevRegionErrorKind.NotLeader);
        try
        {
            Assert.NotNull(await client.Raw.GetAsync("metrics-a"));
        }
        finally
        {
            fault.Remove();
        }

        _listener.RecordObservableInstruments();

        Assert.Contains(_measurements, m => m.Instrument == "tikv.client.request.duration" && Tag(m, "command") == "RawPut" && m.Value > 0);
        Assert.True(_measurements.Count(m => m.Instrument == "tikv.client.request.duration" && Tag(m, "command") == "RawGet") >= 3);
        Assert.Contains(_measurements, m => m.Instrument == "tikv.client.batch.size" && m.Value >= 1);
        Assert.True(Sum("tikv.client.region_errors", "kind", "NotLeader") >= 1);

        // The first lookup missed and went to PD; the later ones found the region cached.
        Assert.True(Sum("tikv.client.region_cache.operations", "type", "miss") >= 1);
        Assert.True(Sum("tikv.client.region_cache.operations", "type", "hit") >= 2);
        Assert.Contains(_measurements, m => m.Instrument == "tikv.client.region_cache.regions" && m.Value >= 1);

        // Every request added to the pending count was taken off again once answered.
        var pending = _measurements.Where(m => m.Instrument == "tikv.client.batch.pending_requests").Sum(m => m.Value);
        Assert.Equal(0, pending);
    }

    [Fact]
    public async Task A_disposed_client_no_longer_counts_towards_cached_regions()
    {
        var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(_cluster));
        await client.Raw.PutAsync("metrics-b", "1");
        _listener.RecordObservableInstruments();
        var before = LastObserved("tikv.client.region_cache.regions");

        await client.DisposeAsync();
        _listener.RecordObservableInstruments();

        Assert.Equal(before - 1, LastObserved("tikv.client.region_cache.regions"));
    }

    private static string? Tag((string Instrument, double Value, Dictionary<string, object?> Tags) m, string name) =>
        m.Tags.TryGetValue(name, out var value) ? value as string : null;

    /// <summary>The total a counter's measurements with the tag added.</summary>
    private double Sum(string instrument, string tag, string value) =>
        _measurements.Where(m => m.Instrument == instrument && Tag(m, tag) == value).Sum(m => m.Value);

    private double LastObserved(string instrument) => _measurements.Last(m => m.Instrument == instrument).Value;

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
