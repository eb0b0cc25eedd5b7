using TiKV.Cli;
using Xunit;

namespace TiKV.Cli.Tests;

public sealed class CliAppTests
{
    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);

    [Fact]
    public async Task Help_lists_every_registered_command()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("tikvnet", output, StringComparison.Ordinal);
        foreach (var command in CliApp.BuildRootCommand().Subcommands)
        {
            Assert.Contains(command.Name, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_option_prints_the_assembly_version()
    {
        var (exitCode, output, _) = await RunAsync("--version");

        Assert.Equal(0, exitCode);
        Assert.StartsWith(typeof(CliApp).Assembly.GetName().Version!.ToString(3), output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_command_names_runtime_and_platform()
    {
        var (exitCode, output, _) = await RunAsync("version");

        Assert.Equal(0, exitCode);
        Assert.Contains("runtime", output, StringComparison.Ordinal);
        Assert.Contains(".NET", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_fails_with_a_message_naming_it()
    {
        var (exitCode, _, error) = await RunAsync("no-such-command");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("no-such-command", error, StringComparison.Ordinal);
    }
}
