using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using TiKV.DevCluster;

namespace TiKV.Cli.Commands;

/// <summary>
/// <c>tikvnet playground</c>: an embedded PD and TiKV stores on tiup playground's default ports (PD 2379, stores
/// 20160+, status 20180+). A busy port falls back to a free one and says so; 0 asks for an ephemeral port. Data is
/// discarded on exit unless <c>--tag</c> or <c>--data-dir</c> makes the cluster durable. Runs until Ctrl-C or
/// SIGTERM, then stops cleanly.
/// </summary>
internal static class PlaygroundCommand
{
    /// <summary>The <c>--log-level</c> names (tiup's short ones and .NET's long ones).</summary>
    private static readonly Dictionary<string, LogLevel> LogLevels = new(StringComparer.Ordinal)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["information"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["warning"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["critical"] = LogLevel.Critical,
        ["none"] = LogLevel.None,
    };

    public static Command Create()
    {
        var kv = new Option<int>("--kv") { Description = "Number of TiKV stores.", DefaultValueFactory = _ => 3 };
        var host = new Option<string>("--host") { Description = "Address to listen on and advertise.", DefaultValueFactory = _ => "127.0.0.1" };
        var pdPort = new Option<int>("--pd-port") { Description = "PD port (0 = ephemeral).", DefaultValueFactory = _ => 2379 };
        var kvPort = new Option<int>("--kv-port") { Description = "Port of the first store; the others follow (0 = ephemeral).", DefaultValueFactory = _ => 20160 };
        var statusPort = new Option<int>("--status-port") { Description = "Status port of the first store; the others follow (0 = ephemeral).", DefaultValueFactory = _ => 20180 };
        var tag = new Option<string?>("--tag") { Description = "Keep the cluster's data in ~/.tikvnet/data/NAME across runs." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Keep the cluster's data in DIR across runs." };
        var readyFile = new Option<string?>("--ready-file") { Description = "Write the endpoints as JSON to FILE once the cluster is ready." };
        var logLevel = new Option<string>("--log-level")
        {
            Description = "Print the cluster's log at this level and above on stderr: trace, debug, info, warn, error or none.",
            DefaultValueFactory = _ => "none",
        };
        logLevel.AcceptOnlyFromAmong([.. LogLevels.Keys]);

        var command = new Command("playground", "Start an embedded TiKV cluster (PD + stores) for development; Ctrl-C stops it.")
        {
            kv, host, pdPort, kvPort, statusPort, tag, dataDir, readyFile, logLevel,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new Settings(
                parseResult.GetValue(kv),
                parseResult.GetValue(host)!,
                parseResult.GetValue(pdPort),
                parseResult.GetValue(kvPort),
                parseResult.GetValue(statusPort),
                parseResult.GetValue(tag),
                parseResult.GetValue(dataDir),
                parseResult.GetValue(readyFile),
                LogLevels[parseResult.GetValue(logLevel)!]),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        if (Validate(settings) is { } problem)
        {
            await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return 2;
        }

        var dataDirectory = settings.DataDir ?? (settings.Tag is { } tag
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".tikvnet", "data", tag)
            : null);
        using var loggerFactory = settings.LogLevel == LogLevel.None ? null : new PlaygroundLoggerFactory(error, settings.LogLevel);
        var options = new DevClusterOptions
        {
            LoggerFactory = loggerFactory,
            StoreCount = settings.Kv,
            Host = settings.Host,
            PdPort = settings.PdPort,
            StorePortBase = settings.KvPort,
            StatusPortBase = settings.StatusPort,
            DataDirectory = dataDirectory,
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);

        DevCluster.DevCluster cluster;
        try
        {
            cluster = await DevCluster.DevCluster.StartAsync(options, fallBackToFreePorts: true, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            await error.WriteLineAsync($"error: cannot start the playground: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (cluster.ConfigureAwait(false))
        {
            // The ready file first: whoever waits for it should not wait for the console set-up as well.
            if (settings.ReadyFile is { } readyFile)
            {
                WriteReadyFile(readyFile, cluster);
            }

            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            });
            foreach (var fallback in cluster.PortFallbacks)
            {
                console.MarkupLine($"[yellow]Port {fallback.RequestedPort} is busy; {Markup.Escape(fallback.Endpoint)} listens on {fallback.Port} instead.[/]");
            }

            PrintTable(console, cluster, dataDirectory, started.Elapsed);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            console.MarkupLine("Stopping the playground…");
            await cluster.StopAsync(CancellationToken.None).ConfigureAwait(false);
            console.MarkupLine(dataDirectory is null ? "Stopped; its data was discarded." : $"Stopped; data kept in [bold]{Markup.Escape(dataDirectory)}[/].");
        }

        return 0;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static string? Validate(Settings settings)
    {
        if (settings.Kv < 1)
        {
            return $"--kv must be at least 1 (got {settings.Kv}).";
        }

        foreach (var (name, port) in new[] { ("--pd-port", settings.PdPort), ("--kv-port", settings.KvPort), ("--status-port", settings.StatusPort) })
        {
            if (port is < 0 or > 65535)
            {
                return $"{name} must be between 0 and 65535 (got {port}).";
            }
        }

        if (settings.Tag is not null && settings.DataDir is not null)
        {
            return "--tag and --data-dir cannot be used together.";
        }

        if (settings.Tag is { } tag && (tag.Length == 0 || tag.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || tag is "." or ".."))
        {
            return $"--tag '{tag}' is not a valid directory name.";
        }

        return string.IsNullOrWhiteSpace(settings.Host) ? "--host must not be empty." : null;
    }

    private static void PrintTable(IAnsiConsole console, DevCluster.DevCluster cluster, string? dataDirectory, TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"TiKV playground (cluster id {cluster.ClusterId})");
        table.AddColumn("Component");
        table.AddColumn("Id");
        table.AddColumn("Address");
        table.AddColumn("Status address");
        table.AddRow("PD", "", cluster.PdAddress, "");
        foreach (var store in cluster.Stores)
        {
            table.AddRow("TiKV", store.Id.ToString(CultureInfo.InvariantCulture), store.Address, store.StatusAddress);
        }

        console.Write(table);
        console.MarkupLine(dataDirectory is null
            ? "Data: in memory (discarded on exit)."
            : $"Data: [bold]{Markup.Escape(dataDirectory)}[/]");
        console.MarkupLine($"Ready in {elapsed.TotalMilliseconds:F0} ms. Connect with PD endpoint [bold]{Markup.Escape(cluster.PdAddress)}[/]. Press Ctrl-C to stop.");
    }

    /// <summary>Writes the ready file atomically, so a watcher never reads a partial file.</summary>
    private static void WriteReadyFile(string path, DevCluster.DevCluster cluster)
    {
        var ready = new ReadyFile(
            [cluster.PdAddress],
            [.. cluster.Stores.Select(s => new ReadyStore(s.Id, s.Address, s.StatusAddress))]);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(ready, PlaygroundJsonContext.Default.ReadyFile));
        File.Move(temp, full, overwrite: true);
    }

    private sealed record Settings(int Kv, string Host, int PdPort, int KvPort, int StatusPort, string? Tag, string? DataDir, string? ReadyFile, LogLevel LogLevel);
}
