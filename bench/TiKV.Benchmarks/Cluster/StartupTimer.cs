using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TiKV.Benchmarks.Load;

namespace TiKV.Benchmarks.Cluster;

/// <summary>
/// Start-up times: <c>DevCluster.StartAsync</c> of the default 3-store cluster in this process (the first
/// start pays JIT and Kestrel's one-time set-up, later ones do not), and the time from launching
/// <c>tikvnet playground --ready-file</c> until the ready file holds the endpoints.
/// </summary>
internal static class StartupTimer
{
    public static async Task<IReadOnlyList<string>> DevClusterAsync(LoadOptions options)
    {
        var runs = options.GetInt("runs", 10);
        var times = new List<double>(runs);
        var firstCpu = TimeSpan.Zero;
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            var cluster = await DevCluster.DevCluster.StartAsync(new DevCluster.DevClusterOptions());
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (i == 0)
            {
                // CPU time does not stretch when other processes compete for the cores the way wall time does.
                process.Refresh();
                firstCpu = process.TotalProcessorTime - cpuBefore;
            }

            if (cluster.Stores.Count != 3)
            {
                throw new InvalidOperationException($"Expected 3 stores, got {cluster.Stores.Count}.");
            }

            await cluster.DisposeAsync();
        }

        return [Summarize(string.Create(CultureInfo.InvariantCulture, $"DevCluster.StartAsync (3 stores, in-process; first run used {firstCpu.TotalMilliseconds:N0} ms CPU)"), times)];
    }

    public static async Task<IReadOnlyList<string>> PlaygroundAsync(LoadOptions options)
    {
        var runs = options.GetInt("runs", 5);
        var tikvnet = options.GetString("tikvnet") ?? FindTikvnet();
        var times = new List<double>(runs);
        var cpuTimes = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var readyFile = Path.Combine(Path.GetTempPath(), $"tikvnet-ready-{Guid.NewGuid():N}.json");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { tikvnet, "playground", "--pd-port", "0", "--kv-port", "0", "--status-port", "0", "--ready-file", readyFile })
            {
                start.ArgumentList.Add(arg);
            }

            var started = Stopwatch.GetTimestamp();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start tikvnet.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            try
            {
                while (!IsReady(readyFile))
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"tikvnet playground exited with {process.ExitCode}: {await errors}{await output}");
                    }

                    if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
                    {
                        throw new TimeoutException("tikvnet playground did not write its ready file within 60 s.");
                    }

                    await Task.Delay(2);
                }

                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                // The CPU the playground used until ready: unlike wall time it does not stretch when other processes
                // compete for the cores, so it compares runs taken under different load.
                process.Refresh();
                cpuTimes.Add(process.TotalProcessorTime.TotalMilliseconds);
            }
            finally
            {
                using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
                {
                    process.Kill(entireProcessTree: true);
                }

                File.Delete(readyFile);
            }
        }

        var cpu = cpuTimes.Order().ToList();
        return
        [
            Summarize($"tikvnet playground: process start → ready file ({Path.GetFileName(tikvnet)})", times),
            string.Create(CultureInfo.InvariantCulture, $"tikvnet playground: CPU used until ready: median {cpu[cpu.Count / 2]:N0} ms, min {cpu[0]:N0} ms ({string.Join(", ", cpuTimes.Select(t => t.ToString("N0", CultureInfo.InvariantCulture)))} ms)"),
        ];
    }

    private static bool IsReady(string path)
    {
        // Polled every 2 ms: a missing file must not cost an exception each time, which would load the playground's cores.
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.TryGetProperty("stores", out var stores) && stores.GetArrayLength() > 0;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The tikvnet.dll built next to this repository's CLI project, Release preferred.</summary>
    private static string FindTikvnet()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var configuration in new[] { "Release", "Debug" })
            {
                var candidate = Path.Combine(directory.FullName, "src", "TiKV.Cli", "bin", configuration, "net10.0", "tikvnet.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("tikvnet.dll not found: build src/TiKV.Cli (dotnet build -c Release src/TiKV.Cli) or pass --tikvnet PATH.");
    }

    private static string Summarize(string what, List<double> times)
    {
        var warm = times.Skip(1).Order().ToList();
        var warmText = warm.Count == 0
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"; later runs median {warm[warm.Count / 2]:N0} ms, min {warm[0]:N0} ms, max {warm[^1]:N0} ms");
        return string.Create(CultureInfo.InvariantCulture, $"{what}: first run {times[0]:N0} ms{warmText} ({times.Count} runs: {string.Join(", ", times.Select(t => t.ToString("N0", CultureInfo.InvariantCulture)))} ms)");
    }
}
