using System.Diagnostics;
using Xunit;

namespace TiKV.Grpc.Tests.Interop;

/// <summary>Runs the interop scripts with Debian's python3 and its python3-grpcio (gRPC C-core).</summary>
internal static class Python
{
    public const string Executable = "/usr/bin/python3";

    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "Interop");

    public static string ProtoPath => Path.Combine(AppContext.BaseDirectory, "Protos", "echo.proto");

    private static readonly Lazy<string?> Problem = new(FindProblem);

    /// <summary>Fails the test, never skips it, when the interop peer is not installed.</summary>
    public static void RequireGrpc()
    {
        if (Problem.Value is { } problem)
        {
            Assert.Fail(problem);
        }
    }

    public static ProcessStartInfo StartInfo(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ScriptDirectory,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(Path.Combine(ScriptDirectory, script));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A proxy setting in the environment would send loopback calls elsewhere.
        info.Environment.Remove("http_proxy");
        info.Environment.Remove("https_proxy");
        info.Environment.Remove("grpc_proxy");
        return info;
    }

    /// <summary>Runs a script to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        using Process process = Process.Start(StartInfo(script, arguments))!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {string.Join(' ', arguments)} did not finish within {timeout}: {await stdout}{await stderr}");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string? FindProblem()
    {
        const string Fix = "Interop tests need gRPC C-core for Python: run the repository's test script, or "
            + "`apt-get install -y python3-grpcio python3-protobuf protobuf-compiler`.";
        if (!File.Exists(Executable))
        {
            return $"{Executable} does not exist. {Fix}";
        }

        if (!File.Exists("/usr/bin/protoc"))
        {
            return $"/usr/bin/protoc does not exist. {Fix}";
        }

        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import grpc, google.protobuf");
        using Process process = Process.Start(info)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        string lastLine = error.Trim().Split('\n')[^1];
        return process.ExitCode == 0 ? null : $"{Executable} cannot import grpc/protobuf ({lastLine}). {Fix}";
    }
}
