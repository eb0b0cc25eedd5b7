using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TiKV.Cli;
using Xunit;

namespace TiKV.Cli.Tests;

/// <summary>The playground run in-process: its log on stderr at the chosen level, and ports a reopened cluster could not get back.</summary>
public sealed class PlaygroundRunTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikvnet-cli-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Log_level_info_prints_the_cluster_log_on_stderr()
    {
        var run = await RunUntilReadyAsync("--log-level", "info");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("INFO TiKV.DevCluster: DevCluster", run.Error, StringComparison.Ordinal);
        Assert.Contains("started: PD at", run.Error, StringComparison.Ordinal);
        Assert.Contains("Store 1 serving at", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("DevCluster", run.Output.Split("TiKV playground")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_log_level_the_cluster_log_stays_quiet()
    {
        var run = await RunUntilReadyAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Contains("TiKV playground", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopened_cluster_whose_ephemeral_port_was_taken_says_where_it_listens_now()
    {
        var first = await RunUntilReadyAsync("--data-dir", _directory);
        Assert.Equal(0, first.ExitCode);
        var storePort = first.StorePorts[0];
        using var squatter = new TcpListener(IPAddress.Loopback, storePort);
        squatter.Start();

        var second = await RunUntilReadyAsync("--data-dir", _directory, "--log-level", "warn");

        Assert.Equal(0, second.ExitCode);
        Assert.NotEqual(storePort, second.StorePorts[0]);
        Assert.Contains($"Port {storePort} is busy; store 1 listens on {second.StorePorts[0]} instead.", second.Output, StringComparison.Ordinal);
        Assert.Contains($"WARN TiKV.DevCluster: Port {storePort} is busy", second.Error, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Error, int[] StorePorts)> RunUntilReadyAsync(params string[] extra)
    {
        Directory.CreateDirectory(_directory);
        var readyFile = Path.Combine(_directory, $"ready-{Guid.NewGuid():N}.json");
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        string[] args = ["playground", "--pd-port", "0", "--kv-port", "0", "--status-port", "0", "--ready-file", readyFile, .. extra];
        var run = Task.Run(() => CliApp.RunAsync(args, output, error, stop.Token));
        int[] ports;
        while (true)
        {
            if (run.IsCompleted)
            {
                Assert.Fail($"playground exited with {await run}: {error}{output}");
            }

            if (File.Exists(readyFile))
            {
                using var ready = JsonDocument.Parse(await File.ReadAllTextAsync(readyFile));
                ports = [.. ready.RootElement.GetProperty("stores").EnumerateArray()
                    .Select(s => s.GetProperty("address").GetString()!)
                    .Select(a => int.Parse(a[(a.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];
                break;
            }

            await Task.Delay(20);
        }

        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, output.ToString(), error.ToString(), ports);
    }
}
