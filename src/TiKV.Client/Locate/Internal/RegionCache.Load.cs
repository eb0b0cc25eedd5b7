using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Retry.Internal;

namespace TiKV.Client.Locate.Internal;

internal sealed partial class RegionCache
{
    private readonly Dictionary<byte[], Task<RegionInfo?>> _inflightByKey = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], Task<RegionInfo?>> _inflightByEndKey = new(ByteArrayComparer.Instance);
    private readonly object _inflightGate = new();

    /// <summary>The region that contains <paramref name="key"/>, from the cache or from PD.</summary>
    public ValueTask<CachedRegion> LocateKeyAsync(ReadOnlyMemory<byte> key, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var cached = TryLocateKey(key.Span);
        ClientMetrics.RecordRegionCache(cached is not null ? "hit" : "miss");
        return cached is not null ? new ValueTask<CachedRegion>(cached) : new ValueTask<CachedRegion>(LoadAsync(key, endKey: false, backoffer, cancellationToken));
    }

    /// <summary>The region holding the keys just below <paramref name="key"/> (used by reverse scans); empty = +inf.</summary>
    public ValueTask<CachedRegion> LocateEndKeyAsync(ReadOnlyMemory<byte> key, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var cached = TryLocateEndKey(key.Span);
        ClientMetrics.RecordRegionCache(cached is not null ? "hit" : "miss");
        return cached is not null ? new ValueTask<CachedRegion>(cached) : new ValueTask<CachedRegion>(LoadAsync(key, endKey: true, backoffer, cancellationToken));
    }

    public async ValueTask<CachedRegion> LocateByIdAsync(ulong regionId, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var cached = TryGetById(regionId);
        ClientMetrics.RecordRegionCache(cached is not null ? "hit" : "miss");
        if (cached is not null)
        {
            return cached;
        }

        while (true)
        {
            try
            {
                var info = await _pd.GetRegionByIdAsync(regionId, cancellationToken).ConfigureAwait(false);
                if (info is not null)
                {
                    return Insert(info.Meta, info.Leader);
                }

                await backoffer.BackoffAsync(BackoffKind.RegionMiss, new TiKVException($"PD does not know region {regionId}", isRetryable: true), regionId, null, cancellationToken).ConfigureAwait(false);
            }
            catch (TiKVException ex) when (ex.IsRetryable && ex is not BackoffExhaustedException)
            {
                await backoffer.BackoffAsync(BackoffKind.PdRpc, ex, regionId, null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<CachedRegion> LoadAsync(ReadOnlyMemory<byte> key, bool endKey, Backoffer backoffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            RegionInfo? info;
            try
            {
                info = await LoadSharedAsync(key, endKey).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TiKVException ex) when (ex.IsRetryable && ex is not BackoffExhaustedException)
            {
                await backoffer.BackoffAsync(BackoffKind.PdRpc, ex, null, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (info is not null)
            {
                var region = Insert(info.Meta, info.Leader);
                if (endKey ? region.ContainsByEnd(key.Span) : region.Contains(key.Span))
                {
                    return region;
                }
            }

            // PD has no region for the key yet (bootstrap, or its view lags a split): client-go backs off regionMiss.
            var cause = new TiKVException($"PD returned no region for key {Convert.ToHexString(key.Span)}", isRetryable: true);
            await backoffer.BackoffAsync(BackoffKind.RegionMiss, cause, null, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One PD lookup per key at a time: concurrent misses for the same key await the same call. The shared
    /// call is not tied to any caller's cancellation; each caller stops waiting on its own token.
    /// </summary>
    private Task<RegionInfo?> LoadSharedAsync(ReadOnlyMemory<byte> key, bool endKey)
    {
        var map = endKey ? _inflightByEndKey : _inflightByKey;
        var keyArray = key.ToArray();
        lock (_inflightGate)
        {
            if (map.TryGetValue(keyArray, out var existing))
            {
                return existing;
            }

            var task = FetchAsync(keyArray, endKey);
            if (!task.IsCompleted)
            {
                map[keyArray] = task;
                task.ContinueWith(
                    static (_, state) =>
                    {
                        var (cache, m, k) = ((RegionCache, Dictionary<byte[], Task<RegionInfo?>>, byte[]))state!;
                        lock (cache._inflightGate)
                        {
                            m.Remove(k);
                        }
                    },
                    (this, map, keyArray),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            return task;
        }
    }

    private async Task<RegionInfo?> FetchAsync(byte[] key, bool endKey)
    {
        if (!endKey)
        {
            return await _pd.GetRegionAsync(key, CancellationToken.None).ConfigureAwait(false);
        }

        if (key.Length == 0)
        {
            // +inf: the last region is the one containing the largest keys; PD finds it by scanning from its start.
            return await LastRegionAsync().ConfigureAwait(false);
        }

        var info = await _pd.GetPrevRegionAsync(key, CancellationToken.None).ConfigureAwait(false);
        if (info is not null && RegionHoldsEnd(info, key))
        {
            return info;
        }

        // PD's GetPrevRegion answers "the region before the one containing key". When key is not a region
        // boundary the region we want is the one containing key itself.
        var containing = await _pd.GetRegionAsync(key, CancellationToken.None).ConfigureAwait(false);
        return containing is not null && RegionHoldsEnd(containing, key) ? containing : info;
    }

    private async Task<RegionInfo?> LastRegionAsync()
    {
        byte[] start = [];
        while (true)
        {
            var regions = await _pd.ScanRegionsAsync(start, ReadOnlyMemory<byte>.Empty, 128, CancellationToken.None).ConfigureAwait(false);
            if (regions.Count == 0)
            {
                return null;
            }

            var last = regions[^1];
            if (last.Meta.EndKey.IsEmpty)
            {
                return last;
            }

            start = last.Meta.EndKey.ToByteArray();
        }
    }

    private static bool RegionHoldsEnd(RegionInfo info, ReadOnlySpan<byte> key)
    {
        var start = info.Meta.StartKey.Span;
        var end = info.Meta.EndKey.Span;
        return key.SequenceCompareTo(start) > 0 && (end.IsEmpty || key.SequenceCompareTo(end) <= 0);
    }
}
