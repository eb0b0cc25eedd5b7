using System.CommandLine;
using System.CommandLine.Invocation;
using TiKV.Cli.Commands;

namespace TiKV.Cli;

/// <summary>Prints the tool's own informational version for <c>--version</c>.</summary>
internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(VersionCommand.InformationalVersion);
        return 0;
    }
}
