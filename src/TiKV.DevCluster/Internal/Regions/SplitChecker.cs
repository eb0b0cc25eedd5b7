using System.Collections.Concurrent;
using System.Threading.Channels;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Internal.Regions;

/// <summary>
/// TiKV's split checker: writes accumulate per region, and once a region has taken in about a sixteenth of the
/// split threshold (<c>region-split-check-diff</c>) since its last check, its size is estimated; a region above
/// <see cref="DevClusterOptions.RegionSplitSizeBytes"/> or <see cref="DevClusterOptions.RegionSplitKeys"/> is
/// split at the middle key of its data. Checks run in the background, one region at a time.
/// </summary>
internal sealed class SplitChecker
{
    private readonly ClusterRuntime _cluster;
    private readonly ConcurrentDictionary<ulong, long[]> _written = new();
    private readonly ConcurrentDictionary<ulong, byte> _queued = new();
    private readonly ConcurrentDictionary<ulong, byte> _deferred = new();
    private readonly Channel<ulong> _queue = Channel.CreateUnbounded<ulong>(new UnboundedChannelOptions { SingleReader = true });
    private readonly long _checkBytes;
    private readonly long _checkKeys;

    /// <summary>Creates the checker for <paramref name="cluster"/>.</summary>
    public SplitChecker(ClusterRuntime cluster)
    {
        _cluster = cluster;
        _checkBytes = Math.Max(1, cluster.Options.RegionSplitSizeBytes / 16);
        _checkKeys = Math.Max(1, cluster.Options.RegionSplitKeys / 16);
    }

    /// <summary>Starts the background loop.</summary>
    public void Start() => _cluster.Background.Run(RunAsync);

    /// <summary>Records a write of <paramref name="keys"/> entries and <paramref name="bytes"/> bytes to a region.</summary>
    public void OnWrite(ulong regionId, long keys, long bytes)
    {
        var counters = _written.GetOrAdd(regionId, static _ => new long[2]);
        var totalKeys = Interlocked.Add(ref counters[0], keys);
        var totalBytes = Interlocked.Add(ref counters[1], bytes);
        if (totalKeys >= _checkKeys || totalBytes >= _checkBytes)
        {
            Interlocked.Exchange(ref counters[0], 0);
            Interlocked.Exchange(ref counters[1], 0);
            Enqueue(regionId);
        }
    }

    /// <summary>Asks for a check of <paramref name="regionId"/>.</summary>
    public void Enqueue(ulong regionId)
    {
        if (_queued.TryAdd(regionId, 0))
        {
            _queue.Writer.TryWrite(regionId);
        }
    }

    /// <summary>PD is back: checks the regions whose splits waited for it.</summary>
    public void OnPdUp()
    {
        foreach (var regionId in _deferred.Keys)
        {
            if (_deferred.TryRemove(regionId, out _))
            {
                Enqueue(regionId);
            }
        }
    }

    /// <summary>Checks one region now and splits it if it is too big; returns the resulting regions (empty = no split).</summary>
    public List<RegionState> Check(ulong regionId)
    {
        var region = _cluster.Regions.GetById(regionId);
        if (region is null)
        {
            return [];
        }

        if (!_cluster.IsPdUp)
        {
            // TiKV asks PD for the new ids (AskBatchSplit); without PD the split waits for the next check.
            _deferred.TryAdd(regionId, 0);
            if (_cluster.IsPdUp)
            {
                OnPdUp();
            }

            return [];
        }

        var raw = _cluster.Raw.Engine.EstimateRange(region.StartKey, region.EndKey);
        var txn = _cluster.Txn.Storage.EstimateRange(region.StartKey, region.EndKey);
        var options = _cluster.Options;
        if (raw.Keys + txn.Keys <= options.RegionSplitKeys && raw.Bytes + txn.Bytes <= options.RegionSplitSizeBytes)
        {
            return [];
        }

        var splitKey = raw.Keys >= txn.Keys
            ? MiddleKey(_cluster.Raw.Engine, region, [ColumnFamily.Default, ColumnFamily.Write, ColumnFamily.Lock], stripTimestamp: false)
            : MiddleKey(_cluster.Txn.Storage, region, [ColumnFamily.Write, ColumnFamily.Default, ColumnFamily.Lock], stripTimestamp: true);
        if (splitKey is null)
        {
            return [];
        }

        var result = _cluster.Split(region.Id, [splitKey], region.Version);
        foreach (var part in result)
        {
            Enqueue(part.Id);
        }

        return result;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var regionId in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            _queued.TryRemove(regionId, out _);
            try
            {
                Check(regionId);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.SplitCheckFailed(_cluster.Logger, e, regionId);
            }
        }
    }

    /// <summary>
    /// The key in the middle of the region's data in the first non-empty column family. Transactional keys are
    /// stored as the encoded user key followed by a timestamp; the split key is the encoded user key, so all
    /// versions of one key stay in one region (TiKV's split observer strips the timestamp the same way).
    /// </summary>
    private static byte[]? MiddleKey(IStorageEngine engine, RegionState region, ColumnFamily[] families, bool stripTimestamp)
    {
        foreach (var cf in families)
        {
            var count = engine.Scan(cf, region.StartKey, region.EndKey).Count();
            if (count < 2)
            {
                continue;
            }

            var index = 0;
            foreach (var entry in engine.Scan(cf, region.StartKey, region.EndKey))
            {
                if (index++ < count / 2)
                {
                    continue;
                }

                var key = entry.Key;
                if (stripTimestamp && KeyCodec.TryDecodePrefix(key, out _, out var consumed))
                {
                    key = key[..consumed];
                }

                if (key.AsSpan().SequenceCompareTo(region.StartKey) > 0 && region.Contains(key))
                {
                    return key;
                }
            }
        }

        return null;
    }
}
