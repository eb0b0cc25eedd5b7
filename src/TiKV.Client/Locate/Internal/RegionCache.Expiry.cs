using System.Runtime.CompilerServices;
using TiKV.Client.Diagnostics.Internal;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// Idle expiry. Like client-go's region cache GC (a round every second that checks a bounded number of regions
/// from a cursor and deletes the expired ones), a background round walks the blocks, so a cache filled once by a
/// key-space-wide burst does not hold every region forever. The same round advances the cache's clock: hits read
/// a timestamp taken at most about a second ago instead of asking the TimeProvider on every lookup (≈ 25 ns on a
/// virtual machine's clock, a seventh of a hit), which is as fine-grained as client-go's seconds-based TTL check.
/// The round also compacts the directory (<see cref="RegionDirectory.Compact"/>) after changes.
/// </summary>
internal sealed partial class RegionCache
{
    private static readonly TimeSpan ExpiryRoundInterval = TimeSpan.FromSeconds(1);

    // client-go checks 50 regions per round; walking a block costs far less here, and at 1024 per round a full
    // pass over 100k regions takes under two minutes.
    private const int ExpiryRoundEntries = 1024;

    private readonly ITimer _expiryRound;
    private long _clock;

    // Where the next round starts. Rounds never overlap (the timer is re-armed at the end of each), so only the
    // round itself reads or writes it. A block index, so changes between rounds only shift where the walk resumes.
    private int _expiryCursor;
    private bool _disposed;

    public void Dispose()
    {
        lock (_writeLock)
        {
            _disposed = true;
        }

        _expiryRound.Dispose();
        ClientMetrics.UntrackRegionCache(this);
    }

    private void RunExpiryRound()
    {
        var now = _timeProvider.GetTimestamp();
        Volatile.Write(ref _clock, now);
        var dropped = DropExpired(now);
        if (dropped > 0)
        {
            ClientMetrics.RecordRegionCache("expire", dropped);
            Log.RegionsExpired(_logger, dropped);
        }

        lock (_writeLock)
        {
            // Reallocate the blocks side by side once those changed since the last compaction are an eighth of all
            // blocks: at most one copy of the entries (48 B per region) per second, and none while nothing changes.
            var directory = _directory;
            if (directory.ChangedBlocks > directory.BlockCount / 8)
            {
                Volatile.Write(ref _directory, directory.Compact());
            }

            if (!_disposed)
            {
                _expiryRound.Change(ExpiryRoundInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Checks up to <see cref="ExpiryRoundEntries"/> regions from the cursor and removes the expired ones.</summary>
    private int DropExpired(long now)
    {
        var directory = Directory;
        var block = _expiryCursor < directory.BlockCount ? _expiryCursor : 0;
        List<CachedRegion>? expired = null;
        for (var checkedEntries = 0; checkedEntries < ExpiryRoundEntries && block < directory.BlockCount; block++)
        {
            var entries = directory.BlockAt(block);
            foreach (ref readonly var entry in entries)
            {
                if (entry.IsExpired(now))
                {
                    (expired ??= []).Add(entry.Region);
                }
            }

            checkedEntries += entries.Length;
        }

        _expiryCursor = block < directory.BlockCount ? block : 0;
        if (expired is null)
        {
            return 0;
        }

        var dropped = 0;
        lock (_writeLock)
        {
            var current = _directory;
            foreach (var region in expired)
            {
                // A hit may have pushed the expiry forward since the walk, or a change replaced the region.
                ref var entry = ref current.Find(region);
                if (!Unsafe.IsNullRef(ref entry) && entry.IsExpired(now))
                {
                    // Each removal is a consistent state on its own, so lookups may see them one by one.
                    current = RemoveLocked(current, region, inPlace: true);
                    dropped++;
                }
            }

            Volatile.Write(ref _directory, current);
        }

        return dropped;
    }
}
