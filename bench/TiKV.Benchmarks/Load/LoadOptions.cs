using System.Globalization;

namespace TiKV.Benchmarks.Load;

/// <summary>"--name value" pairs after "load &lt;scenario&gt;".</summary>
public sealed class LoadOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public LoadOptions(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}': options are '--name value'.");
            }
        }

        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public TimeSpan Duration => TimeSpan.FromSeconds(GetDouble("seconds", 10));

    public TimeSpan Warmup => TimeSpan.FromSeconds(GetDouble("warmup", 5));

    public int GetInt(string name, int defaultValue) =>
        _values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : defaultValue;

    public double GetDouble(string name, double defaultValue) =>
        _values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : defaultValue;

    public string? GetString(string name) => _values.TryGetValue(name, out var text) ? text : null;
}
