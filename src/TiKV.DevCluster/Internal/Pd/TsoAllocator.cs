namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// PD's timestamp oracle: timestamps are <c>physical_ms &lt;&lt; 18 | logical</c>, strictly increasing. The physical
/// part follows the wall clock; a batch of <c>count</c> takes the next <c>count</c> logical values and reports the
/// last one. When the logical part would reach 2^18 the physical part moves one millisecond ahead, as PD does
/// after a logical overflow. For durability PD persists an upper bound of the physical time it may hand out
/// (a 3 s window); after a restart it starts above that bound so timestamps never go backwards.
/// </summary>
internal sealed class TsoAllocator
{
    /// <summary>Bits of the logical part (PD's <c>maxLogical = 1 &lt;&lt; 18</c>).</summary>
    public const int LogicalBits = 18;

    /// <summary>The exclusive upper limit of the logical part.</summary>
    public const long MaxLogical = 1L << LogicalBits;

    /// <summary>PD saves <c>physical + 3 s</c> (<c>tso-save-interval</c>) so a restarted PD can start above it.</summary>
    private static readonly long SaveWindowMs = (long)TimeSpan.FromSeconds(3).TotalMilliseconds;

    private readonly TimeProvider _timeProvider;
    private readonly Action<long>? _persistUpperBound;
    private readonly Lock _gate = new();
    private long _physical;
    private long _logical;
    private long _upperBound;

    /// <summary>
    /// Creates an allocator that never hands out a physical time at or below <paramref name="lowerBoundMs"/>
    /// (the persisted window of a previous run, 0 for a new cluster). <paramref name="persistUpperBound"/> is
    /// called under the allocator's lock whenever the window advances.
    /// </summary>
    public TsoAllocator(TimeProvider timeProvider, long lowerBoundMs = 0, Action<long>? persistUpperBound = null)
    {
        _timeProvider = timeProvider;
        _persistUpperBound = persistUpperBound;
        // Like PD's SyncTimestamp, start strictly above the saved bound.
        _physical = lowerBoundMs == 0 ? 0 : lowerBoundMs + 1;
        _upperBound = lowerBoundMs;
    }

    /// <summary>The persisted upper bound of handed-out physical times, in Unix milliseconds.</summary>
    public long UpperBoundMs
    {
        get
        {
            lock (_gate)
            {
                return _upperBound;
            }
        }
    }

    /// <summary>
    /// Allocates <paramref name="count"/> timestamps (1 ≤ count &lt; 2^18) and returns the physical and logical
    /// parts of the last one; the batch is logical <c>logical - count + 1 … logical</c> of that physical time.
    /// </summary>
    public (long Physical, long Logical) Allocate(uint count)
    {
        if (count == 0 || count >= MaxLogical)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "A TSO batch must hold between 1 and 2^18 - 1 timestamps.");
        }

        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            if (now > _physical)
            {
                _physical = now;
                _logical = 0;
            }

            if (_logical + count >= MaxLogical)
            {
                // Logical overflow: PD refuses to hand out the batch and moves the physical clock forward.
                _physical++;
                _logical = 0;
            }

            _logical += count;
            if (_physical >= _upperBound)
            {
                _upperBound = _physical + SaveWindowMs;
                _persistUpperBound?.Invoke(_upperBound);
            }

            return (_physical, _logical);
        }
    }

    /// <summary>Allocates one timestamp and returns it composed.</summary>
    public ulong AllocateOne()
    {
        var (physical, logical) = Allocate(1);
        return Compose(physical, logical);
    }

    /// <summary>Composes a timestamp from its parts.</summary>
    public static ulong Compose(long physical, long logical) => ((ulong)physical << LogicalBits) | (ulong)logical;

    /// <summary>The physical part (Unix milliseconds) of a timestamp.</summary>
    public static long PhysicalOf(ulong ts) => (long)(ts >> LogicalBits);
}
