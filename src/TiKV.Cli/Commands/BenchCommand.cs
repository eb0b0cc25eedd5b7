using System.CommandLine;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// <c>tikvnet bench raw</c>: closed-loop load on the raw API — C workers each issue one request at a time
/// against N preloaded keys for a fixed duration after a warm-up (the JIT needs one), then ops/s and
/// p50/p99/p99.9 latency are printed, with what this process allocated and spent in CPU per operation (against a
/// cluster in another process, the client's own cost). <c>--no-batch</c> turns BatchCommands off;
/// <c>--compare-no-batch</c> runs that as a second phase and <c>--ceiling</c> measures the transport ceiling
/// (see <see cref="BenchCeiling"/>) in the same run, so the ratios come from one machine state.
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
        var ceiling = new Option<bool>("--ceiling")
        {
            Description = "Then measure the transport ceiling: the same gets as raw BatchCommands frames on the same stores, no client in between (get only).",
        };
        var compareNoBatch = new Option<bool>("--compare-no-batch") { Description = "Then run the same load with BatchCommands off, for the speed-up." };
        var command = new Command("raw", "Closed-loop benchmark of raw get/put; prints ops/s, latency percentiles and the client's allocation and CPU per op.")
        {
            pd, op, concurrency, duration, warmup, keys, valueSize, noBatch, connections, format, ceiling, compareNoBatch,
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
                parseResult.GetValue(format)!,
                parseResult.GetValue(ceiling),
                parseResult.GetValue(compareNoBatch)),
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

        try
        {
            var options = Options(settings, settings.Batch);
            var client = await TiKVClient.ConnectAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var keys = BenchRunner.Keys(settings.Keys);
                var value = await BenchRunner.PreloadAsync(client.Raw, settings, keys, cancellationToken).ConfigureAwait(false);
                var result = await BenchRunner.RunAsync(client.Raw, settings, keys, value, cancellationToken).ConfigureAwait(false);
                var fields = new List<(string Name, object? Value)>
                {
                    ("op", settings.Op),
                    ("batch_commands", settings.Batch),
                    ("concurrency", (long)settings.Concurrency),
                    ("keys", (long)settings.Keys),
                    ("value_size", (long)settings.ValueSize),
                    ("seconds", Math.Round(result.Elapsed.TotalSeconds, 3)),
                    ("ops", result.Histogram.Count),
                    ("errors", result.Errors),
                    ("ops_per_second", Math.Round(result.OpsPerSecond, 1)),
                    ("p50_ms", Millis(result.Histogram.Percentile(50))),
                    ("p99_ms", Millis(result.Histogram.Percentile(99))),
                    ("p999_ms", Millis(result.Histogram.Percentile(99.9))),
                    ("max_ms", Millis(result.Histogram.Max)),
                    ("client_alloc_bytes_per_op", Math.Round(result.AllocatedBytesPerOp, 1)),
                    ("client_cpu_us_per_op", Math.Round(result.CpuMicrosecondsPerOp, 2)),
                };
                var errors = result.Errors;
                if (settings.CompareNoBatch)
                {
                    var unary = await TiKVClient.ConnectAsync(Options(settings, batch: false), cancellationToken: cancellationToken).ConfigureAwait(false);
                    await using (unary.ConfigureAwait(false))
                    {
                        var baseline = await BenchRunner.RunAsync(unary.Raw, settings, keys, value, cancellationToken).ConfigureAwait(false);
                        errors += baseline.Errors;
                        fields.Add(("no_batch_ops_per_second", Math.Round(baseline.OpsPerSecond, 1)));
                        fields.Add(("no_batch_p99_ms", Millis(baseline.Histogram.Percentile(99))));
                        fields.Add(("no_batch_client_alloc_bytes_per_op", Math.Round(baseline.AllocatedBytesPerOp, 1)));
                        fields.Add(("speedup_vs_no_batch", Math.Round(result.OpsPerSecond / baseline.OpsPerSecond, 2)));
                    }
                }

                if (settings.Ceiling)
                {
                    var ceiling = await BenchCeiling.RunAsync(client, settings, keys, cancellationToken).ConfigureAwait(false);
                    fields.Add(("ceiling_ops_per_second", Math.Round(ceiling, 1)));
                    fields.Add(("fraction_of_ceiling", Math.Round(result.OpsPerSecond / ceiling, 3)));
                }

                new RawOutput(output, settings.Format == "json", hex: false).Fields([.. fields]);
                return errors == 0 ? 0 : 1;
            }
        }
        catch (Exception e) when (e is ArgumentException or TiKVException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e is ArgumentException ? 2 : 1;
        }
    }

    private static TiKVClientOptions Options(BenchSettings settings, bool batch)
    {
        var options = new TiKVClientOptions
        {
            EnableBatchCommands = batch,
            GrpcConnectionCount = settings.Connections,
        };
        foreach (var endpoint in settings.Pd.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.PdEndpoints.Add(endpoint);
        }

        options.Validate();
        return options;
    }

    private static double Millis(long nanoseconds) => Math.Round(nanoseconds / 1e6, 3);
}
