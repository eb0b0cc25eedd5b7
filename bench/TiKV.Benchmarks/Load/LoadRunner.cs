using System.Diagnostics;

namespace TiKV.Benchmarks.Load;

/// <summary>
/// Runs a scenario: warm-up (not counted; lets tiered JIT reach optimized code), then a measured window.
/// Allocation is process-wide (<see cref="GC.GetTotalAllocatedBytes(bool)"/>), so it covers client and
/// server threads alike; CPU time is the whole process's.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(ILoadScenario scenario, TimeSpan warmup, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        await scenario.SetupAsync(CancellationToken.None);

        var control = new LoadControl();
        var workers = new LoadWorker[scenario.WorkerCount];
        var tasks = new Task[workers.Length];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = workers[i] = new LoadWorker(i);
            tasks[i] = Task.Run(() => scenario.RunWorkerAsync(worker, control));
        }

        await Task.Delay(warmup);
        CheckFaulted(tasks);

        using var process = Process.GetCurrentProcess();
        GC.Collect();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        process.Refresh();
        var cpuStart = process.TotalProcessorTime;
        var allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        var pauseStart = GC.GetTotalPauseDuration();
        var start = Stopwatch.GetTimestamp();
        control.BeginMeasuring();

        await Task.Delay(duration);

        control.EndMeasuring();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        var paused = GC.GetTotalPauseDuration() - pauseStart;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;
        gen0 = GC.CollectionCount(0) - gen0;
        gen1 = GC.CollectionCount(1) - gen1;
        gen2 = GC.CollectionCount(2) - gen2;

        control.Stop();
        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            // Workers blocked in an await end through the stop token; that is the normal way out.
        }

        await scenario.DisposeAsync();

        var latency = new LatencyHistogram();
        long operations = 0;
        foreach (var worker in workers)
        {
            latency.Merge(worker.Latency);
            operations += worker.Operations;
        }

        var perOp = operations == 0 ? double.NaN : 1.0 / operations;
        return new LoadResult(
            scenario.Description,
            scenario.Unit,
            operations,
            elapsed.TotalSeconds,
            latency.PercentileMicros(0.50),
            latency.PercentileMicros(0.99),
            allocated * perOp,
            cpu.TotalMicroseconds * perOp,
            gen0,
            gen1,
            gen2,
            100 * paused.TotalSeconds / elapsed.TotalSeconds,
            MachineLoad.OneMinute());
    }

    private static void CheckFaulted(Task[] tasks)
    {
        foreach (var task in tasks)
        {
            if (task.IsFaulted)
            {
                task.GetAwaiter().GetResult();
            }
        }
    }
}
