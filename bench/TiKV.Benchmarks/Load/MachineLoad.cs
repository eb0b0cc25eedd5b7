using System.Globalization;

namespace TiKV.Benchmarks.Load;

/// <summary>The 1-minute load average: on a shared 2-core machine it says how much of it the run really had.</summary>
public static class MachineLoad
{
    public static double OneMinute()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }
}
