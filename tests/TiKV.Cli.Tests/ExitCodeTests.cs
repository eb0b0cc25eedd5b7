using TiKV.Cli;
using Xunit;

namespace TiKV.Cli.Tests;

/// <summary>Exit codes as docs/cli.md promises them: 1 for a command line that cannot be parsed, 2 for invalid values.</summary>
public sealed class ExitCodeTests
{
    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);

    [Theory]
    [InlineData("Required command was not provided")]
    [InlineData("Unrecognized command or argument 'no-such-command'", "no-such-command")]
    [InlineData("Cannot parse argument 'abc' for option '--kv'", "playground", "--kv", "abc")]
    [InlineData("Unrecognized command or argument '--bogus'", "playground", "--bogus")]
    [InlineData("'loud'", "playground", "--log-level", "loud")]
    [InlineData("Required argument missing", "raw", "get")]
    [InlineData("Required command was not provided", "txn")]
    [InlineData("Unrecognized command or argument 'extra'", "version", "extra")]
    [InlineData("Unrecognized command or argument '--bogus'", "bench", "raw", "--bogus")]
    public async Task Unparsable_command_lines_exit_1_naming_the_problem(string problem, params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(CliApp.ParseErrorExitCode, exitCode);
        Assert.Equal(1, exitCode);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kv must be at least 1", "playground", "--kv", "0")]
    [InlineData("--pd-port must be between 0 and 65535", "playground", "--pd-port", "70000")]
    [InlineData("--tag and --data-dir cannot be used together", "playground", "--tag", "a", "--data-dir", "b")]
    [InlineData("--host must not be empty", "playground", "--host", " ")]
    public async Task Invalid_playground_values_exit_2_with_a_message(string problem, params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_is_not_an_error()
    {
        var (exitCode, output, _) = await RunAsync("playground", "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("--log-level", output, StringComparison.Ordinal);
    }
}
