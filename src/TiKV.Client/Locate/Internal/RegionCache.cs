using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// Regions sorted by start key (non-overlapping), with O(log n) lookup by key, plus an index by id. Lookups take
/// no lock: they search the last published <see cref="RegionDirectory"/> (sorted blocks of <see cref="RegionEntry"/>,
/// which hold what a hit checks beside the region reference). Changes are serialized by a lock; each either swaps
/// one block of the published directory or publishes a new one. Misses are loaded from PD (RegionCache.Load.cs);
/// entries expire after an idle TTL with per-region jitter, like client-go's regionCacheTTLSec, and a background
/// round drops expired entries (RegionCache.Expiry.cs).
/// </summary>
internal sealed partial class RegionCache : IDisposable
{
    private readonly Dictionary<ulong, CachedRegion> _byId = [];

    // Serializes changes (and reads of _byId). Lookups by key never take it.
    private readonly Lock _writeLock = new();
    private readonly IPdClient _pd;
    private readonly TimeProvider _timeProvider;
    private readonly long _ttlTicks;
    private readonly long _jitterTicks;
    private readonly ILogger _logger;
    private RegionDirectory _directory = RegionDirectory.Empty;

    public RegionCache(IPdClient pd, TimeProvider timeProvider, TimeSpan ttl, TimeSpan jitter, ILogger logger)
    {
        _pd = pd;
        _timeProvider = timeProvider;
        _ttlTicks = ToTicks(ttl, timeProvider);
        _jitterTicks = ToTicks(jitter, timeProvider);
        _logger = logger;
        _clock = timeProvider.GetTimestamp();
        _expiryRound = timeProvider.CreateTimer(static state => ((RegionCache)state!).RunExpiryRound(), this, ExpiryRoundInterval, Timeout.InfiniteTimeSpan);
        ClientMetrics.TrackRegionCache(this);
    }

    public int Count => Directory.Count;

    private RegionDirectory Directory => Volatile.Read(ref _directory);

    /// <summary>
    /// The cached, unexpired region that contains <paramref name="key"/>, or null. A lookup racing with an
    /// invalidation may still return the region being dropped, exactly as if it had run just before; the sender
    /// checks <see cref="CachedRegion.IsValid"/> before every attempt and re-locates.
    /// </summary>
    public CachedRegion? TryLocateKey(ReadOnlySpan<byte> key)
    {
        var prefix = KeyPrefix.Of(key);

        // The floor is the last region starting at or below the key; it holds the key if it ends above it.
        ref var entry = ref Directory.Floor(key, prefix, inclusive: true);
        return !Unsafe.IsNullRef(ref entry) && entry.EndsAbove(key, prefix) ? Accept(ref entry) : null;
    }

    /// <summary>The cached region holding the keys just below <paramref name="key"/> (start &lt; key ≤ end); empty = +inf.</summary>
    public CachedRegion? TryLocateEndKey(ReadOnlySpan<byte> key)
    {
        var directory = Directory;
        ref var entry = ref key.Length == 0 ? ref directory.Last : ref directory.Floor(key, KeyPrefix.Of(key), inclusive: false);
        return !Unsafe.IsNullRef(ref entry) && entry.Region.ContainsByEnd(key) ? Accept(ref entry) : null;
    }

    public CachedRegion? TryGetById(ulong regionId)
    {
        CachedRegion? region;
        lock (_writeLock)
        {
            _byId.TryGetValue(regionId, out region);
        }

        if (region is null)
        {
            return null;
        }

        // The id index and the directory change together under the lock, so the region is in the directory at
        // its start key unless a change raced with this lookup; its expiry is kept there.
        ref var entry = ref Directory.Find(region);
        return Unsafe.IsNullRef(ref entry) ? null : Accept(ref entry);
    }

    /// <summary>Inserts a region, evicting every cached region it overlaps (they are older views of the range).</summary>
    public CachedRegion Insert(Region meta, Peer? leader)
    {
        var jitter = _jitterTicks > 0 ? Random.Shared.NextInt64(_jitterTicks) : 0;
        var region = new CachedRegion(meta, leader, _ttlTicks + jitter);
        var entry = new RegionEntry(region, _timeProvider.GetTimestamp());
        lock (_writeLock)
        {
            // Removing the regions the new one replaces and adding it must become visible together, or lookups
            // would miss in between and go to PD: every step but a lone insert works on an unpublished copy.
            var published = _directory;
            var directory = published;
            if (_byId.Remove(region.Id, out var old))
            {
                directory = directory.Remove(old, inPlace: directory != published);
            }

            // The region before the new start key overlaps when it ends above that start (or never ends).
            ref var before = ref directory.Floor(region.StartKey, entry.StartPrefix, inclusive: false);
            if (!Unsafe.IsNullRef(ref before) &&
                (before.Region.EndKey.Length == 0 || before.Region.EndKey.AsSpan().SequenceCompareTo(region.StartKey) > 0))
            {
                directory = RemoveLocked(directory, before.Region, inPlace: directory != published);
            }

            // Then every region starting inside the new range.
            while (directory.Ceiling(region.StartKey) is { } next &&
                   (region.EndKey.Length == 0 || next.StartKey.AsSpan().SequenceCompareTo(region.EndKey) < 0))
            {
                directory = RemoveLocked(directory, next, inPlace: directory != published);
            }

            _byId[region.Id] = region;
            Volatile.Write(ref _directory, directory.Insert(entry, inPlace: true));
        }

        return region;
    }

    /// <summary>Drops the region so the next lookup goes to PD, and marks it stale for requests in flight to it.</summary>
    public void Invalidate(CachedRegion region, RegionErrorKind reason)
    {
        InvalidateAndRemove(region);
        ClientMetrics.RecordRegionCache("invalidate");
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
        InvalidateAndRemove(region);
        var newer = false;
        foreach (var current in currentRegions)
        {
            var epoch = current.RegionEpoch;
            newer |= epoch is not null && epoch.Version >= region.Epoch.Version && epoch.ConfVer >= region.Epoch.ConfVer;
        }

        ClientMetrics.RecordRegionCache("invalidate");
        if (!newer)
        {
            Log.RegionInvalidated(_logger, region.Id, RegionErrorKind.EpochNotMatch);
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
        var directory = Directory;
        var regions = new List<CachedRegion>(directory.Count);
        for (var block = 0; block < directory.BlockCount; block++)
        {
            foreach (ref readonly var entry in directory.BlockAt(block))
            {
                regions.Add(entry.Region);
            }
        }

        return regions;
    }

    private static long ToTicks(TimeSpan span, TimeProvider timeProvider) => (long)(span.TotalSeconds * timeProvider.TimestampFrequency);

    /// <summary>The hit's region unless it has been idle past its TTL, as of the cache's clock.</summary>
    private CachedRegion? Accept(ref RegionEntry entry)
    {
        var now = Volatile.Read(ref _clock);
        if (entry.IsExpired(now))
        {
            return null;
        }

        entry.Touch(now, _ttlTicks);
        return entry.Region;
    }

    /// <summary>Removes the region, then marks it invalid so requests in flight to it stop and re-locate.</summary>
    private void InvalidateAndRemove(CachedRegion region)
    {
        lock (_writeLock)
        {
            if (_byId.TryGetValue(region.Id, out var current) && ReferenceEquals(current, region))
            {
                Volatile.Write(ref _directory, RemoveLocked(_directory, region, inPlace: true));
            }

            region.Invalidate();
        }
    }

    /// <summary><paramref name="directory"/> without <paramref name="region"/>, which also leaves the id index.</summary>
    private RegionDirectory RemoveLocked(RegionDirectory directory, CachedRegion region, bool inPlace)
    {
        if (_byId.TryGetValue(region.Id, out var current) && ReferenceEquals(current, region))
        {
            _byId.Remove(region.Id);
        }

        return directory.Remove(region, inPlace);
    }
}
