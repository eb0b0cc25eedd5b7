using System.Diagnostics;
using System.Text;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

/// <summary>
/// Kills a process that is writing through group commit (SIGKILL, no shutdown) and checks that every write it
/// had acknowledged is in the database afterwards, with both keys of each batch.
/// </summary>
public sealed class SqliteCrashDurabilityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public Task Every_acknowledged_write_survives_a_killed_process() => KillWhileWritingAsync();

    [Fact]
    public Task Every_acknowledged_write_survives_a_process_killed_while_folding() => KillWhileWritingAsync("16384");

    private async Task KillWhileWritingAsync(params string[] extraArguments)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "TiKV.DevCluster.CrashWriter.dll");
        Assert.True(File.Exists(writer), $"crash writer not built next to the tests: {writer}");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(_directory);
        start.ArgumentList.Add("8");
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        var acknowledged = new List<string>();
        using (var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash writer"))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                while (acknowledged.Count < 3000)
                {
                    var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                    if (line is null)
                    {
                        Assert.Fail("crash writer exited early: " + await process.StandardError.ReadToEndAsync(timeout.Token));
                    }

                    if (line.StartsWith("ack ", StringComparison.Ordinal))
                    {
                        acknowledged.Add(line[4..]);
                    }
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
            }

            // Acknowledgements already printed before the kill count too.
            var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            acknowledged.AddRange(rest.Split('\n').Where(l => l.StartsWith("ack ", StringComparison.Ordinal)).Select(l => l[4..].TrimEnd('\r')).Where(k => k.Length == 12));
            await process.WaitForExitAsync(timeout.Token);
        }

        await using var engine = SqliteStorageEngine.Open(_directory);
        var missing = acknowledged.Where(key =>
            !engine.TryGet(ColumnFamily.Write, Encoding.UTF8.GetBytes(key), out var value) || Encoding.UTF8.GetString(value) != "value-" + key
            || !engine.TryGet(ColumnFamily.Default, Encoding.UTF8.GetBytes(key), out _)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged writes lost, e.g. {string.Join(", ", missing.Take(5))}");
    }
}
