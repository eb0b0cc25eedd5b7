using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace TiKV.DevCluster.Tests.Infrastructure;

/// <summary>Locating the repository and running child processes.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string ProtoDirectory => Path.Combine(Root, "proto");

    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        // The test binaries normally live under the repository; the source path is the fallback.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "TiKV.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (TiKV.slnx) above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a process to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}: {await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
