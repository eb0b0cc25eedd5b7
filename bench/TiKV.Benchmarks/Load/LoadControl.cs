using System.Diagnostics;

namespace TiKV.Benchmarks.Load;

/// <summary>
/// Shared run state: workers loop while <see cref="IsRunning"/> and report completed operations through
/// <see cref="Record"/>, which counts them only inside the measurement window (after the warm-up).
/// </summary>
public sealed class LoadControl
{
    private volatile bool _running = true;
    private volatile bool _measuring;

    public bool IsRunning => _running;

    public bool IsMeasuring => _measuring;

    /// <summary>Cancelled when the run stops, for workers blocked in an await.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    /// <summary>Counts <paramref name="operations"/> completed by one request that started at <paramref name="startTimestamp"/>.</summary>
    public void Record(LoadWorker worker, long startTimestamp, int operations = 1)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (_measuring)
        {
            worker.Operations += operations;
            worker.Latency.RecordTicks(Stopwatch.GetTimestamp() - startTimestamp);
        }
    }

    /// <summary>Counts operations without a latency sample (for loops too tight to time each call).</summary>
    public void Count(LoadWorker worker, int operations)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (_measuring)
        {
            worker.Operations += operations;
        }
    }

    internal void BeginMeasuring() => _measuring = true;

    internal void EndMeasuring() => _measuring = false;

    internal void Stop()
    {
        _running = false;
        Stopping.Cancel();
    }
}
