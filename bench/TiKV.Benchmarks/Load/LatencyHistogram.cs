using System.Diagnostics;

namespace TiKV.Benchmarks.Load;

/// <summary>
/// A fixed-bucket latency histogram: 1 µs buckets up to 1 ms, 10 µs up to 10 ms, 100 µs up to 100 ms and
/// 1 ms up to 10 s. Not thread-safe: each worker owns one and they are merged after the run.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Tier = 1000;
    private const int Tier1 = 900;
    private const int Tier2 = 900;
    private const int Tier3 = 9900;
    private const int BucketCount = Tier + Tier1 + Tier2 + Tier3 + 1;

    private readonly long[] _buckets = new long[BucketCount];

    public long Count { get; private set; }

    public void RecordTicks(long stopwatchTicks)
    {
        var micros = stopwatchTicks * 1_000_000 / Stopwatch.Frequency;
        _buckets[BucketOf(micros)]++;
        Count++;
    }

    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            _buckets[i] += other._buckets[i];
        }

        Count += other.Count;
    }

    public void Clear()
    {
        Array.Clear(_buckets);
        Count = 0;
    }

    /// <summary>The upper bound, in microseconds, of the bucket holding the given quantile.</summary>
    public double PercentileMicros(double quantile)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var target = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _buckets[i];
            if (seen >= target && _buckets[i] > 0)
            {
                return UpperBoundMicros(i);
            }
        }

        return UpperBoundMicros(BucketCount - 1);
    }

    private static int BucketOf(long micros)
    {
        if (micros < Tier)
        {
            return (int)Math.Max(micros, 0);
        }

        if (micros < 10_000)
        {
            return Tier + (int)((micros - 1_000) / 10);
        }

        if (micros < 100_000)
        {
            return Tier + Tier1 + (int)((micros - 10_000) / 100);
        }

        if (micros < 10_000_000)
        {
            return Tier + Tier1 + Tier2 + (int)((micros - 100_000) / 1_000);
        }

        return BucketCount - 1;
    }

    private static double UpperBoundMicros(int bucket)
    {
        if (bucket < Tier)
        {
            return bucket + 1;
        }

        if (bucket < Tier + Tier1)
        {
            return 1_000 + ((bucket - Tier + 1) * 10.0);
        }

        if (bucket < Tier + Tier1 + Tier2)
        {
            return 10_000 + ((bucket - Tier - Tier1 + 1) * 100.0);
        }

        return 100_000 + ((bucket - Tier - Tier1 - Tier2 + 1) * 1_000.0);
    }
}
