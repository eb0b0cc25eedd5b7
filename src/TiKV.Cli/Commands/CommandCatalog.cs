using System.CommandLine;

namespace TiKV.Cli.Commands;

/// <summary>
/// The list of top-level command groups. A new group adds one line here.
/// </summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create()
    {
        yield return PlaygroundCommand.Create();
        yield return RawCommand.Create();
        yield return TxnCommand.Create();
        yield return BenchCommand.Create();
        yield return VersionCommand.Create();
    }
}
