namespace TiKV.Benchmarks.Mvcc;

/// <summary>A process-local TSO: PD's layout (physical ms &lt;&lt; 18 | logical), strictly increasing.</summary>
public sealed class Timestamps
{
    private long _last = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 18;

    public ulong Next() => (ulong)Interlocked.Increment(ref _last);
}
