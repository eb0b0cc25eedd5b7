using System.Runtime.CompilerServices;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// One slot of the region cache's sorted blocks: everything a cache hit checks, kept inline so that a lookup reads
/// one block and never the <see cref="CachedRegion"/> object it returns. With 100k cached regions the region
/// objects are scattered over tens of megabytes of heap; on a machine with 4 KiB pages each dereference into them
/// is a TLB miss plus a cache miss, which used to be most of what a lookup for a random key cost. 48 bytes.
/// </summary>
internal struct RegionEntry
{
    /// <summary>Where the unbounded end (+inf) is kept: above every key's prefix except sixteen 0xFF bytes.</summary>
    public static readonly UInt128 UnboundedEnd = UInt128.MaxValue;

    /// <summary><see cref="KeyPrefix"/> of the region's start key; searches run over this field.</summary>
    public readonly UInt128 StartPrefix;

    /// <summary><see cref="KeyPrefix"/> of the end key, or <see cref="UnboundedEnd"/> when the region extends to +inf.</summary>
    public readonly UInt128 EndPrefix;

    public readonly CachedRegion Region;

    // Idle expiry (TimeProvider timestamp), pushed forward by hits: client-go's region cache TTL. The only field
    // that changes once the entry is in a block; read and written with Volatile so it is never torn.
    private long _expiresAt;

    public RegionEntry(CachedRegion region, long now)
    {
        StartPrefix = KeyPrefix.Of(region.StartKey);
        EndPrefix = region.EndKey.Length == 0 ? UnboundedEnd : KeyPrefix.Of(region.EndKey);
        Region = region;
        _expiresAt = now + region.TtlTicks;
    }

    public readonly long ExpiresAt => Volatile.Read(in _expiresAt);

    public readonly bool IsExpired(long now) => now > ExpiresAt;

    /// <summary>
    /// True when <paramref name="key"/> (whose prefix is <paramref name="keyPrefix"/>) sorts below the end key.
    /// Decided on the prefixes when they differ; only keys sharing the end key's first 16 bytes (or sixteen 0xFF
    /// bytes, against an unbounded end) read the region's end key itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool EndsAbove(ReadOnlySpan<byte> key, UInt128 keyPrefix) =>
        keyPrefix != EndPrefix ? keyPrefix < EndPrefix : EndKeyAbove(key);

    /// <summary>
    /// True when the region's start key is below <paramref name="key"/> (or equal to it, when
    /// <paramref name="inclusive"/>). Compares whole keys only when the prefixes are equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool StartsBelow(ReadOnlySpan<byte> key, UInt128 keyPrefix, bool inclusive) =>
        StartPrefix != keyPrefix ? StartPrefix < keyPrefix : StartKeyBelow(key, inclusive);

    // The whole-key comparisons run only on equal prefixes; kept out of line so the searches that inline the
    // prefix comparison stay small.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly bool EndKeyAbove(ReadOnlySpan<byte> key)
    {
        var end = Region.EndKey;
        return end.Length == 0 || key.SequenceCompareTo(end) < 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly bool StartKeyBelow(ReadOnlySpan<byte> key, bool inclusive)
    {
        var cmp = Region.StartKey.AsSpan().SequenceCompareTo(key);
        return cmp < 0 || (inclusive && cmp == 0);
    }

    /// <summary>
    /// Pushes the idle expiry forward after a hit. Like client-go, the expiry is left alone while at least the
    /// cache's base TTL (<paramref name="baseTtlTicks"/>, less 1/64 of it as slack) is still ahead, so a region is
    /// rewritten at most once per jitter + 9 s (default TTL) however hot it is: the entries many callers hit at once
    /// are not a cache line every core keeps writing, and the region object (which holds its jittered TTL) is read
    /// only then. A region therefore lives at least 63/64 of the base TTL after its last hit, at most TTL + jitter.
    /// </summary>
    public void Touch(long now, long baseTtlTicks)
    {
        if (ExpiresAt < now + baseTtlTicks - (baseTtlTicks >> 6))
        {
            Volatile.Write(ref _expiresAt, now + Region.TtlTicks);
        }
    }
}
