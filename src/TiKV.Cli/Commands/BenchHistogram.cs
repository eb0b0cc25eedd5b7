using System.Numerics;

namespace TiKV.Cli.Commands;

/// <summary>
/// A latency histogram with logarithmic buckets, each power of two split into 32 linear sub-buckets (the idea
/// of HdrHistogram with about 3% relative precision). Recording is a few instructions and never allocates;
/// one instance per worker, merged at the end. Values are nanoseconds.
/// </summary>
internal sealed class BenchHistogram
{
    private const int SubBucketBits = 5;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int BucketCount = SubBucketCount + (64 - SubBucketBits) * SubBucketCount;

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public long Min { get; private set; } = long.MaxValue;

    public void Record(long value)
    {
        value = Math.Max(0, value);
        _counts[IndexOf(value)]++;
        Count++;
        Max = Math.Max(Max, value);
        Min = Math.Min(Min, value);
    }

    public void Add(BenchHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
        Min = Math.Min(Min, other.Min);
    }

    /// <summary>The smallest recorded bucket value at or above the given percentile (0–100), capped at the maximum seen.</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var target = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                return Math.Min(Max, UpperBound(i));
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = exponent - SubBucketBits;
        var sub = (int)(value >> shift) & (SubBucketCount - 1);
        return SubBucketCount + (shift * SubBucketCount) + sub;
    }

    internal static long LowerBound(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        var shift = (index - SubBucketCount) / SubBucketCount;
        var sub = (index - SubBucketCount) % SubBucketCount;
        return (long)(SubBucketCount + sub) << shift;
    }

    internal static long UpperBound(int index) => index + 1 >= BucketCount ? long.MaxValue : LowerBound(index + 1) - 1;
}
