namespace TiKV.Cli.Commands;

/// <summary>The parameters of one <c>tikvnet bench raw</c> run.</summary>
internal sealed record BenchSettings(
    string Pd,
    string Op,
    int Concurrency,
    double DurationSeconds,
    double WarmupSeconds,
    int Keys,
    int ValueSize,
    bool Batch,
    int Connections,
    string Format,
    bool Ceiling = false,
    bool CompareNoBatch = false)
{
    public string? Validate()
    {
        if (Op is not ("get" or "put" or "mixed"))
        {
            return $"--op must be get, put or mixed (got '{Op}').";
        }

        if (Concurrency is < 1 or > 100_000)
        {
            return $"--concurrency must be between 1 and 100000 (got {Concurrency}).";
        }

        if (!(DurationSeconds > 0))
        {
            return $"--duration must be positive (got {DurationSeconds}).";
        }

        if (!(WarmupSeconds >= 0))
        {
            return $"--warmup must not be negative (got {WarmupSeconds}).";
        }

        if (Keys < 1)
        {
            return $"--keys must be at least 1 (got {Keys}).";
        }

        if (ValueSize is < 1 or > 1024 * 1024)
        {
            return $"--value-size must be between 1 and 1048576 bytes (got {ValueSize}).";
        }

        if (Connections is < 1 or > 64)
        {
            return $"--connections must be between 1 and 64 (got {Connections}).";
        }

        if (Ceiling && Op != "get")
        {
            return $"--ceiling measures gets only (got --op {Op}).";
        }

        if (CompareNoBatch && !Batch)
        {
            return "--compare-no-batch compares against batching on; drop --no-batch.";
        }

        return Format is "table" or "json" ? null : $"--format must be 'table' or 'json' (got '{Format}').";
    }
}
