namespace TiKV.Cli.Commands;

/// <summary>What a benchmark run measured.</summary>
internal sealed record BenchResult(BenchHistogram Histogram, long Errors, TimeSpan Elapsed);
