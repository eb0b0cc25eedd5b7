using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace TiKV.Cli.Commands;

/// <summary>
/// <c>tikvnet version</c>: the tool's version plus the runtime it runs on, which is what a bug report needs.
/// (<c>tikvnet --version</c> prints the bare version.)
/// </summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the tikvnet version, the .NET runtime and the platform.");
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"tikvnet {InformationalVersion}");
            output.WriteLine($"runtime  {RuntimeInformation.FrameworkDescription}");
            output.WriteLine($"platform {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}");
            return 0;
        });
        return command;
    }

    public static string InformationalVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";
}
