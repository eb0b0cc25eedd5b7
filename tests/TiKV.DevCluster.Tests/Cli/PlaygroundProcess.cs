using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TiKV.DevCluster.Tests.Infrastructure;

namespace TiKV.DevCluster.Tests.Cli;

/// <summary><c>tikvnet playground</c> running as a child process.</summary>
internal sealed class PlaygroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PlaygroundProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public static string CliPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(Repository.Root, "src", "TiKV.Cli", "bin", configuration, "net10.0", "tikvnet.dll");
            Assert.True(File.Exists(path), $"tikvnet is not built at {path}");
            return path;
        }
    }

    public static PlaygroundProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliPath);
        start.ArgumentList.Add("playground");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new PlaygroundProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the ready file and parses it.</summary>
    public async Task<JsonDocument> WaitForReadyFileAsync(string path, int timeoutMs = 20_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!File.Exists(path))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"playground exited early ({_process.ExitCode}):\n{Output}");
            }

            Assert.True(Environment.TickCount64 < deadline, $"no ready file after {timeoutMs} ms:\n{Output}");
            await Task.Delay(25);
        }

        return JsonDocument.Parse(await File.ReadAllBytesAsync(path));
    }

    public async Task<int> TerminateAsync()
    {
        var kill = await Repository.RunAsync("/bin/kill", ["-TERM", _process.Id.ToString()], TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
        return await WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(int timeoutMs = 15_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
