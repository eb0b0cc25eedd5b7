using System.CommandLine;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// <c>tikvnet raw get|put|delete|scan|delete-range|cas|ttl</c>: TiKV's raw key-value API from the shell. Keys
/// and values are UTF-8 text, or hexadecimal with <c>--hex</c>; <c>--format json</c> prints machine-readable output.
/// </summary>
internal static class RawCommand
{
    public static Command Create()
    {
        var command = new Command("raw", "Read and write TiKV's raw (non-transactional) key space.");
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Put());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Scan());
        command.Subcommands.Add(DeleteRange());
        command.Subcommands.Add(Cas());
        command.Subcommands.Add(Ttl());
        return command;
    }

    private static Command Get()
    {
        var support = new RawCommandSupport();
        var key = new Argument<string>("key") { Description = "The key." };
        var command = new Command("get", "Print the value of a key (exit code 1 if it does not exist).") { key };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            var keyBytes = RawCommandSupport.Bytes(parseResult.GetValue(key)!, output.Hex, "key");
            var value = await raw.GetAsync(keyBytes, token).ConfigureAwait(false);
            if (value is null)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"key '{parseResult.GetValue(key)}' not found").ConfigureAwait(false);
                return 1;
            }

            output.Pairs([new KvPair(keyBytes, value)]);
            return 0;
        }, ct));
        return command;
    }

    private static Command Put()
    {
        var support = new RawCommandSupport();
        var key = new Argument<string>("key") { Description = "The key." };
        var value = new Argument<string>("value") { Description = "The value." };
        var ttl = new Option<int?>("--ttl") { Description = "Expire the key after this many seconds." };
        var command = new Command("put", "Write a value under a key.") { key, value, ttl };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            var seconds = parseResult.GetValue(ttl);
            await raw.PutAsync(
                RawCommandSupport.Bytes(parseResult.GetValue(key)!, output.Hex, "key"),
                RawCommandSupport.Bytes(parseResult.GetValue(value)!, output.Hex, "value"),
                seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                token).ConfigureAwait(false);
            output.Message("OK");
            return 0;
        }, ct));
        return command;
    }

    private static Command Delete()
    {
        var support = new RawCommandSupport();
        var key = new Argument<string>("key") { Description = "The key." };
        var command = new Command("delete", "Delete a key.") { key };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            await raw.DeleteAsync(RawCommandSupport.Bytes(parseResult.GetValue(key)!, output.Hex, "key"), token).ConfigureAwait(false);
            output.Message("OK");
            return 0;
        }, ct));
        return command;
    }

    private static Command Scan()
    {
        var support = new RawCommandSupport();
        var start = new Argument<string>("start") { Description = "First key (inclusive); for --reverse the upper bound (exclusive). \"\" = beginning." };
        var end = new Argument<string?>("end") { Description = "End key (exclusive); for --reverse the lower bound (inclusive). Omitted = no bound.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "Most pairs to print.", DefaultValueFactory = _ => 100 };
        var keyOnly = new Option<bool>("--key-only") { Description = "Print keys only." };
        var reverse = new Option<bool>("--reverse") { Description = "Scan downwards from start (exclusive) to end (inclusive)." };
        var command = new Command("scan", "Print the pairs in a key range, in key order.") { start, end, limit, keyOnly, reverse };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            var startKey = RawCommandSupport.Bytes(parseResult.GetValue(start)!, output.Hex, "start key");
            var endKey = parseResult.GetValue(end) is { } e ? RawCommandSupport.Bytes(e, output.Hex, "end key") : [];
            var only = parseResult.GetValue(keyOnly);
            var pairs = parseResult.GetValue(reverse)
                ? raw.ReverseScanAsync(startKey, endKey, parseResult.GetValue(limit), only, token)
                : raw.ScanAsync(startKey, endKey, parseResult.GetValue(limit), only, token);
            var list = new List<KvPair>();
            await foreach (var pair in pairs.ConfigureAwait(false))
            {
                list.Add(pair);
            }

            output.Pairs(list, only);
            return 0;
        }, ct));
        return command;
    }

    private static Command DeleteRange()
    {
        var support = new RawCommandSupport();
        var start = new Argument<string>("start") { Description = "First key to delete (inclusive)." };
        var end = new Argument<string>("end") { Description = "End of the range (exclusive); \"\" = to the end of the key space." };
        var command = new Command("delete-range", "Delete every key in [start, end).") { start, end };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            await raw.DeleteRangeAsync(
                RawCommandSupport.Bytes(parseResult.GetValue(start)!, output.Hex, "start key"),
                RawCommandSupport.Bytes(parseResult.GetValue(end)!, output.Hex, "end key"),
                token).ConfigureAwait(false);
            output.Message("OK");
            return 0;
        }, ct));
        return command;
    }

    private static Command Cas()
    {
        var support = new RawCommandSupport();
        var key = new Argument<string>("key") { Description = "The key." };
        var value = new Argument<string>("value") { Description = "The new value." };
        var expected = new Option<string?>("--expected") { Description = "Swap only if the current value is this." };
        var absent = new Option<bool>("--expect-absent") { Description = "Swap only if the key does not exist." };
        var ttl = new Option<int?>("--ttl") { Description = "Expire the key after this many seconds." };
        var command = new Command("cas", "Compare-and-swap: set a key only if its current value matches (exit code 1 if it did not).") { key, value, expected, absent, ttl };
        support.AddTo(command);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(expected) is null) == !result.GetValue(absent))
            {
                result.AddError("Give exactly one of --expected VALUE or --expect-absent.");
            }
        });
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            var previous = parseResult.GetValue(expected) is { } p ? RawCommandSupport.Bytes(p, output.Hex, "expected value") : null;
            var seconds = parseResult.GetValue(ttl);
            var (swapped, found) = await raw.CompareAndSwapAsync(
                RawCommandSupport.Bytes(parseResult.GetValue(key)!, output.Hex, "key"),
                previous,
                RawCommandSupport.Bytes(parseResult.GetValue(value)!, output.Hex, "value"),
                seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                token).ConfigureAwait(false);
            output.Fields(("swapped", swapped), ("previous", found is null ? null : output.Text(found)));
            return swapped ? 0 : 1;
        }, ct));
        return command;
    }

    private static Command Ttl()
    {
        var support = new RawCommandSupport();
        var key = new Argument<string>("key") { Description = "The key." };
        var command = new Command("ttl", "Print the remaining time to live of a key in seconds (0 = no TTL; exit code 1 if it does not exist).") { key };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (raw, output, token) =>
        {
            var ttl = await raw.GetKeyTtlAsync(RawCommandSupport.Bytes(parseResult.GetValue(key)!, output.Hex, "key"), token).ConfigureAwait(false);
            if (ttl is null)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"key '{parseResult.GetValue(key)}' not found").ConfigureAwait(false);
                return 1;
            }

            output.Fields(("key", parseResult.GetValue(key)), ("ttl_seconds", (long)ttl.Value.TotalSeconds));
            return 0;
        }, ct));
        return command;
    }
}
