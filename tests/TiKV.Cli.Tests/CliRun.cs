using TiKV.Cli;

namespace TiKV.Cli.Tests;

/// <summary>Runs <c>tikvnet</c> in process and captures what it printed.</summary>
internal static class CliRun
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
