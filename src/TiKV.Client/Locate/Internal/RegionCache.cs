using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// Regions sorted by start key (non-overlapping), with O(log n) lookup by key under a reader/writer lock,
/// plus an index by id. Lookups binary-search a dense array of start-key prefixes (RegionCache.Search.cs). Misses are loaded from PD (see RegionCache.Load.cs); entries expire after an idle
/// TTL with per-region jitter, like client-go's regionCacheTTLSec.
/// </summary>
internal sealed partial class RegionCache : IDisposable
{
    private readonly List<CachedRegion> _sorted = [];

    // The first 16 bytes of each region's start key, parallel to _sorted (see RegionCache.Search.cs).
    private readonly List<UInt128> _prefixes = [];
    private readonly Dictionary<ulong, CachedRegion> _byId = [];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly IPdClient _pd;
    private readonly TimeProvider _timeProvider;
    private readonly long _ttlTicks;
    private readonly long _jitterTicks;
    private readonly ILogger _logger;

    public RegionCache(IPdClient pd, TimeProvider timeProvider, TimeSpan ttl, TimeSpan jitter, ILogger logger)
    {
        _pd = pd;
        _timeProvider = timeProvider;
        _ttlTicks = ToTicks(ttl, timeProvider);
        _jitterTicks = ToTicks(jitter, timeProvider);
        _logger = logger;
    }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _sorted.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    private long Now => _timeProvider.GetTimestamp();

    /// <summary>The cached, valid, unexpired region that contains <paramref name="key"/>, or null.</summary>
    public CachedRegion? TryLocateKey(ReadOnlySpan<byte> key)
    {
        CachedRegion? region;
        var prefix = PrefixOf(key);
        _lock.EnterReadLock();
        try
        {
            var index = FloorIndex(key, prefix, inclusive: true);
            region = index >= 0 ? _sorted[index] : null;
        }
        finally
        {
            _lock.ExitReadLock();
        }

        // The search found the last region starting at or below the key; it holds the key if it ends above it.
        return Accept(region, region is not null && region.EndsAbove(key, prefix));
    }

    /// <summary>The cached region holding the keys just below <paramref name="key"/> (start &lt; key ≤ end); empty = +inf.</summary>
    public CachedRegion? TryLocateEndKey(ReadOnlySpan<byte> key)
    {
        CachedRegion? region;
        _lock.EnterReadLock();
        try
        {
            var index = key.Length == 0 ? _sorted.Count - 1 : FloorIndex(key, PrefixOf(key), inclusive: false);
            region = index >= 0 ? _sorted[index] : null;
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return Accept(region, region is not null && region.ContainsByEnd(key));
    }

    public CachedRegion? TryGetById(ulong regionId)
    {
        CachedRegion? region;
        _lock.EnterReadLock();
        try
        {
            _byId.TryGetValue(regionId, out region);
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return Accept(region, region is not null);
    }

    /// <summary>Inserts a region, evicting every cached region it overlaps (they are older views of the range).</summary>
    public CachedRegion Insert(Region meta, Peer? leader)
    {
        var jitter = _jitterTicks > 0 ? Random.Shared.NextInt64(_jitterTicks) : 0;
        var region = new CachedRegion(meta, leader, Now, _ttlTicks + jitter);
        _lock.EnterWriteLock();
        try
        {
            if (_byId.TryGetValue(region.Id, out var old))
            {
                RemoveLocked(old);
            }

            var index = LowerBound(region.StartKey);
            if (index > 0)
            {
                var before = _sorted[index - 1];
                if (before.EndKey.Length == 0 || before.EndKey.AsSpan().SequenceCompareTo(region.StartKey) > 0)
                {
                    index--;
                    RemoveAtLocked(index);
                }
            }

            while (index < _sorted.Count &&
                   (region.EndKey.Length == 0 || _sorted[index].StartKey.AsSpan().SequenceCompareTo(region.EndKey) < 0))
            {
                RemoveAtLocked(index);
            }

            _sorted.Insert(index, region);
            _prefixes.Insert(index, PrefixOf(region.StartKey));
            _byId[region.Id] = region;
            RebuildSummary();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        return region;
    }

    /// <summary>Drops the region so the next lookup goes to PD.</summary>
    public void Invalidate(CachedRegion region, RegionErrorKind reason)
    {
        region.Invalidate();
        _lock.EnterWriteLock();
        try
        {
            if (_byId.TryGetValue(region.Id, out var current) && ReferenceEquals(current, region))
            {
                RemoveLocked(region);
                RebuildSummary();
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Log.RegionInvalidated(_logger, region.Id, reason);
    }

    /// <summary>
    /// NotLeader with a leader hint: point the region at the new leader. False (and the region is dropped)
    /// when the hinted store holds no peer of the cached region, i.e. membership changed.
    /// </summary>
    public bool UpdateLeader(CachedRegion region, Peer leader)
    {
        if (region.SwitchLeader(leader.StoreId))
        {
            return true;
        }

        Invalidate(region, RegionErrorKind.NotLeader);
        return false;
    }

    /// <summary>
    /// EpochNotMatch: when the store sent its current view of the range, cache it (the regions the split or
    /// merge produced) and report true so the caller re-splits its keys; otherwise just drop the region.
    /// Mirrors client-go's OnRegionEpochNotMatch, which only trusts regions not older than the cached one.
    /// </summary>
    public bool OnEpochNotMatch(CachedRegion region, IReadOnlyList<Region> currentRegions)
    {
        region.Invalidate();
        var newer = false;
        foreach (var current in currentRegions)
        {
            var epoch = current.RegionEpoch;
            newer |= epoch is not null && epoch.Version >= region.Epoch.Version && epoch.ConfVer >= region.Epoch.ConfVer;
        }

        if (!newer)
        {
            Invalidate(region, RegionErrorKind.EpochNotMatch);
            return false;
        }

        var leaderStore = region.Leader?.StoreId;
        foreach (var current in currentRegions)
        {
            Peer? leader = null;
            foreach (var peer in current.Peers)
            {
                if (peer.StoreId == leaderStore)
                {
                    leader = peer;
                }
            }

            Insert(current, leader);
        }

        return true;
    }

    /// <summary>All cached regions in key order (diagnostics and tests).</summary>
    public IReadOnlyList<CachedRegion> Snapshot()
    {
        _lock.EnterReadLock();
        try
        {
            return _sorted.ToArray();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private static long ToTicks(TimeSpan span, TimeProvider timeProvider) => (long)(span.TotalSeconds * timeProvider.TimestampFrequency);

    private CachedRegion? Accept(CachedRegion? region, bool matches)
    {
        if (region is null || !matches || !region.IsValid)
        {
            return null;
        }

        var now = Now;
        if (region.IsExpired(now))
        {
            return null;
        }

        region.Touch(now);
        return region;
    }

    private void RemoveLocked(CachedRegion region)
    {
        var index = LowerBound(region.StartKey);
        if (index < _sorted.Count && ReferenceEquals(_sorted[index], region))
        {
            RemoveAtLocked(index);
        }
        else
        {
            _byId.Remove(region.Id);
        }
    }

    private void RemoveAtLocked(int index)
    {
        var removed = _sorted[index];
        _sorted.RemoveAt(index);
        _prefixes.RemoveAt(index);
        if (_byId.TryGetValue(removed.Id, out var current) && ReferenceEquals(current, removed))
        {
            _byId.Remove(removed.Id);
        }
    }
}
