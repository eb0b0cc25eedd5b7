using TiKV.Cli.Commands;
using Xunit;

namespace TiKV.Cli.Tests;

public sealed class BenchHistogramTests
{
    [Fact]
    public void Bucket_bounds_contain_their_values_within_a_few_percent()
    {
        foreach (var value in new long[] { 0, 1, 31, 32, 33, 63, 64, 65, 1000, 123_456, 10_000_000_000, long.MaxValue / 2 })
        {
            var index = BenchHistogram.IndexOf(value);
            Assert.InRange(value, BenchHistogram.LowerBound(index), BenchHistogram.UpperBound(index));
            var width = BenchHistogram.UpperBound(index) - BenchHistogram.LowerBound(index) + 1;
            Assert.True(width <= Math.Max(1, value / 32 + 1), $"bucket of {value} is {width} wide");
        }
    }

    [Fact]
    public void Percentiles_of_a_uniform_distribution()
    {
        var histogram = new BenchHistogram();
        for (var v = 1; v <= 10_000; v++)
        {
            histogram.Record(v * 1000L);
        }

        Assert.InRange(histogram.Percentile(50), 5_000_000 * 0.97, 5_000_000 * 1.03);
        Assert.InRange(histogram.Percentile(99), 9_900_000 * 0.97, 9_900_000 * 1.03);
        Assert.Equal(10_000_000, histogram.Percentile(100));
        Assert.Equal(1000, histogram.Min);
    }

    [Fact]
    public void Merging_adds_counts()
    {
        var a = new BenchHistogram();
        var b = new BenchHistogram();
        a.Record(10);
        b.Record(1_000_000);
        b.Record(2_000_000);
        a.Add(b);
        Assert.Equal(3, a.Count);
        Assert.Equal(2_000_000, a.Max);
        Assert.Equal(10, a.Percentile(33));
        Assert.Equal(0, new BenchHistogram().Percentile(99));
    }
}
