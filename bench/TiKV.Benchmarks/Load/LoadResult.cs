using System.Globalization;

namespace TiKV.Benchmarks.Load;

/// <summary>What one measured window produced.</summary>
public sealed record LoadResult(
    string Description,
    string Unit,
    long Operations,
    double Seconds,
    double P50Micros,
    double P99Micros,
    double AllocatedBytesPerOperation,
    double CpuMicrosPerOperation,
    int Gen0,
    int Gen1,
    int Gen2,
    double GcPausePercent,
    double LoadAverage)
{
    public double OperationsPerSecond => Operations / Seconds;

    public static string MarkdownHeader =>
        "| scenario | ops/s | p50 µs | p99 µs | alloc B/op | CPU µs/op | GC 0/1/2 | GC pause | load avg |\n|---|---:|---:|---:|---:|---:|---|---:|---:|";

    public string ToMarkdownRow() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Description} | {OperationsPerSecond:N0} {Unit}/s | {Format(P50Micros)} | {Format(P99Micros)} | {AllocatedBytesPerOperation:N1} | {CpuMicrosPerOperation:N2} | {Gen0}/{Gen1}/{Gen2} | {GcPausePercent:N1}% | {LoadAverage:N1} |");

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Description}: {OperationsPerSecond:N0} {Unit}/s over {Seconds:N1} s ({Operations:N0} {Unit}), p50 {Format(P50Micros)} µs, p99 {Format(P99Micros)} µs, {AllocatedBytesPerOperation:N1} B allocated/{Unit}, {CpuMicrosPerOperation:N2} µs CPU/{Unit}, GCs {Gen0}/{Gen1}/{Gen2}, GC pauses {GcPausePercent:N1}% of the time, load average {LoadAverage:N1}");

    private static string Format(double micros) =>
        double.IsNaN(micros) ? "-" : micros.ToString("N0", CultureInfo.InvariantCulture);
}
