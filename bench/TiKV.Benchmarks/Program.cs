using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using TiKV.Benchmarks.Load;

namespace TiKV.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "load")
        {
            if (args.Length < 2)
            {
                await Console.Error.WriteLineAsync("usage: load <scenario> [--seconds N] [--warmup N] [scenario options]\nscenarios: " + string.Join(", ", LoadScenarios.Names));
                return 2;
            }

            PrintMachine();
            try
            {
                var options = new LoadOptions(args.Skip(2));
                await LoadScenarios.RunAsync(args[1], options, Console.Out);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }

            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static void PrintMachine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} cores, {cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, GC server={System.Runtime.GCSettings.IsServerGC}, load average {MachineLoad.OneMinute():N1}"));
    }
}
