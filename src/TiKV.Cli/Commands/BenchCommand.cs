using System.CommandLine;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// <c>tikvnet bench raw</c>: closed-loop load on the raw API — C workers each issue one request at a time
/// against N preloaded keys for a fixed duration after a warm-up (the JIT needs one), then ops/s and
/// p50/p99/p99.9 latency are printed. <c>--no-batch</c> turns BatchCommands off for comparison.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmark a cluster.");
        command.Subcommands.Add(Raw());
        return command;
    }

    private static Command Raw()
    {
        var pd = new Option<string>("--pd") { Description = "PD endpoints, host:port[,host:port...].", DefaultValueFactory = _ => RawCommandSupport.DefaultPd };
        var op = new Option<string>("--op") { Description = "Workload: get, put or mixed (half gets, half puts).", DefaultValueFactory = _ => "get" };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent callers.", DefaultValueFactory = _ => 64 };
        var duration = new Option<double>("--duration") { Description = "Measured seconds.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Unmeasured seconds before measuring.", DefaultValueFactory = _ => 3 };
        var keys = new Option<int>("--keys") { Description = "Distinct keys (preloaded before measuring).", DefaultValueFactory = _ => 10_000 };
        var valueSize = new Option<int>("--value-size") { Description = "Value size in bytes.", DefaultValueFactory = _ => 64 };
        var noBatch = new Option<bool>("--no-batch") { Description = "Send every request as a unary call instead of through BatchCommands." };
        var connections = new Option<int>("--connections") { Description = "gRPC connections per store.", DefaultValueFactory = _ => 4 };
        var format = new Option<string>("--format") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
        var command = new Command("raw", "Closed-loop benchmark of raw get/put; prints ops/s and latency percentiles.")
        {
            pd, op, concurrency, duration, warmup, keys, valueSize, noBatch, connections, format,
        };
        command.SetAction((parseResult, ct) => RunAsync(
            new BenchSettings(
                parseResult.GetValue(pd)!,
                parseResult.GetValue(op)!,
                parseResult.GetValue(concurrency),
                parseResult.GetValue(duration),
                parseResult.GetValue(warmup),
                parseResult.GetValue(keys),
                parseResult.GetValue(valueSize),
                !parseResult.GetValue(noBatch),
                parseResult.GetValue(connections),
                parseResult.GetValue(format)!),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(BenchSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Validate() is { } problem)
        {
            await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return 2;
        }

        var options = new TiKVClientOptions
        {
            EnableBatchCommands = settings.Batch,
            GrpcConnectionCount = settings.Connections,
        };
        foreach (var endpoint in settings.Pd.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.PdEndpoints.Add(endpoint);
        }

        try
        {
            options.Validate();
            var client = await TiKVClient.ConnectAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var result = await BenchRunner.RunAsync(client.Raw, settings, cancellationToken).ConfigureAwait(false);
                new RawOutput(output, settings.Format == "json", hex: false).Fields(
                    ("op", settings.Op),
                    ("batch_commands", settings.Batch),
                    ("concurrency", (long)settings.Concurrency),
                    ("keys", (long)settings.Keys),
                    ("value_size", (long)settings.ValueSize),
                    ("seconds", Math.Round(result.Elapsed.TotalSeconds, 3)),
                    ("ops", result.Histogram.Count),
                    ("errors", result.Errors),
                    ("ops_per_second", Math.Round(result.Histogram.Count / result.Elapsed.TotalSeconds, 1)),
                    ("p50_ms", Millis(result.Histogram.Percentile(50))),
                    ("p99_ms", Millis(result.Histogram.Percentile(99))),
                    ("p999_ms", Millis(result.Histogram.Percentile(99.9))),
                    ("max_ms", Millis(result.Histogram.Max)));
                return result.Errors == 0 ? 0 : 1;
            }
        }
        catch (Exception e) when (e is ArgumentException or TiKVException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e is ArgumentException ? 2 : 1;
        }
    }

    private static double Millis(long nanoseconds) => Math.Round(nanoseconds / 1e6, 3);
}
