namespace TiKV.Benchmarks.Load;

/// <summary>Per-worker counters, merged after the run so the hot path never shares a cache line.</summary>
public sealed class LoadWorker
{
    public LoadWorker(int index)
    {
        Index = index;
        Latency = new LatencyHistogram();
    }

    public int Index { get; }

    public LatencyHistogram Latency { get; }

    public long Operations { get; set; }
}
