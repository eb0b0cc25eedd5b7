namespace TiKV.Cli.Commands;

/// <summary>
/// What a benchmark run measured. <paramref name="AllocatedBytes"/> and <paramref name="CpuTime"/> cover this
/// process only over the measured window: against a cluster in another process that is the client's cost alone.
/// </summary>
internal sealed record BenchResult(BenchHistogram Histogram, long Errors, TimeSpan Elapsed, long AllocatedBytes, TimeSpan CpuTime)
{
    public double OpsPerSecond => Histogram.Count / Elapsed.TotalSeconds;

    public double AllocatedBytesPerOp => Histogram.Count == 0 ? 0 : (double)AllocatedBytes / Histogram.Count;

    public double CpuMicrosecondsPerOp => Histogram.Count == 0 ? 0 : CpuTime.TotalMicroseconds / Histogram.Count;
}
