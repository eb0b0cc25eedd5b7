using System.CommandLine;
using TiKV.Cli.Commands;

namespace TiKV.Cli;

/// <summary>
/// Builds the <c>tikvnet</c> command tree. Each command group lives in <c>Commands/</c> and contributes
/// one <see cref="Command"/> here, so the tree stays in one place and every command shares the same
/// parsing, help and exit-code conventions.
/// </summary>
internal static class CliApp
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "tikvnet: TiKV for .NET. Start an embedded TiKV playground, run raw and transactional commands, and benchmark a cluster.");
        foreach (var command in CommandCatalog.Create())
        {
            root.Subcommands.Add(command);
        }

        // The stock --version reads the entry assembly, which is the test host when the CLI runs in-process;
        // print this assembly's informational version instead.
        foreach (var option in root.Options)
        {
            if (option is VersionOption versionOption)
            {
                versionOption.Action = new PrintVersionAction();
            }
        }

        return root;
    }

    /// <summary>
    /// The exit code of a command line that cannot be parsed (an unknown command or option, a value of the wrong type, a
    /// missing argument), the same for every command as docs/cli.md says. Values that parse but make no sense
    /// (<c>--kv 0</c>, an empty key) are each command's own check and exit with 2.
    /// </summary>
    public const int ParseErrorExitCode = 1;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand();
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        var parseResult = root.Parse(args);
        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        return parseResult.Errors.Count > 0 ? ParseErrorExitCode : exitCode;
    }
}
