using System.Diagnostics;
using System.Globalization;
using System.Text;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>Preloads the keys, warms up, then runs the closed loop and collects per-worker histograms.</summary>
internal static class BenchRunner
{
    /// <summary>The keys every phase reads and writes: bench-00000000, bench-00000001, ...</summary>
    public static byte[][] Keys(int count) => Enumerable.Range(0, count)
        .Select(i => Encoding.UTF8.GetBytes($"bench-{i.ToString("D8", CultureInfo.InvariantCulture)}"))
        .ToArray();

    /// <summary>Writes every key with a random value of the configured size; returns the value.</summary>
    public static async Task<byte[]> PreloadAsync(RawKVClient raw, BenchSettings settings, byte[][] keys, CancellationToken cancellationToken)
    {
        var value = new byte[settings.ValueSize];
        Random.Shared.NextBytes(value);
        foreach (var chunk in keys.Chunk(4096))
        {
            await raw.BatchPutAsync(chunk.Select(k => new KvPair(k, value)), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return value;
    }

    /// <summary>Warms up, then runs the measured closed loop.</summary>
    public static async Task<BenchResult> RunAsync(RawKVClient raw, BenchSettings settings, byte[][] keys, byte[] value, CancellationToken cancellationToken)
    {
        if (settings.WarmupSeconds > 0)
        {
            await RunPhaseAsync(raw, settings, keys, value, TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken).ConfigureAwait(false);
        }

        return await RunPhaseAsync(raw, settings, keys, value, TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<BenchResult> RunPhaseAsync(RawKVClient raw, BenchSettings settings, byte[][] keys, byte[] value, TimeSpan duration, CancellationToken cancellationToken)
    {
        var histograms = new BenchHistogram[settings.Concurrency];
        long errors = 0;
        using var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[settings.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            var histogram = histograms[w] = new BenchHistogram();
            var random = new Random(w);
            workers[w] = Task.Run(
                async () =>
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        var begin = Stopwatch.GetTimestamp();
                        if (begin >= deadline)
                        {
                            return;
                        }

                        var key = keys[random.Next(keys.Length)];
                        var put = settings.Op == "put" || (settings.Op == "mixed" && random.Next(2) == 0);
                        try
                        {
                            if (put)
                            {
                                await raw.PutAsync(key, value, cancellationToken: cancellationToken).ConfigureAwait(false);
                            }
                            else
                            {
                                await raw.GetAsync(key, cancellationToken).ConfigureAwait(false);
                            }

                            histogram.Record((long)Stopwatch.GetElapsedTime(begin).TotalNanoseconds);
                        }
                        catch (TiKVException)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                },
                CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;
        var total = new BenchHistogram();
        foreach (var histogram in histograms)
        {
            total.Add(histogram);
        }

        return new BenchResult(total, errors, elapsed, allocated, cpu);
    }
}
