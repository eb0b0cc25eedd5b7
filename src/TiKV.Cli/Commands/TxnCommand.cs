using System.CommandLine;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// <c>tikvnet txn get|put|delete|scan</c>: TiKV's transactional key space from the shell. Reads use a snapshot at a
/// fresh timestamp; <c>put</c> and <c>delete</c> each run one transaction, so several pairs are committed atomically.
/// </summary>
internal static class TxnCommand
{
    public static Command Create()
    {
        var command = new Command("txn", "Read and write TiKV's transactional key space (snapshot reads, atomic commits).");
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Put());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Scan());
        return command;
    }

    private static Command Get()
    {
        var support = new TxnCommandSupport();
        var key = new Argument<string>("key") { Description = "The key." };
        var command = new Command("get", "Print the committed value of a key (exit code 1 if it does not exist).") { key };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (client, output, token) =>
        {
            var keyBytes = RawCommandSupport.Bytes(parseResult.GetValue(key)!, output.Hex, "key");
            var snapshot = client.GetSnapshot(await client.GetTimestampAsync(token).ConfigureAwait(false));
            var value = await snapshot.GetAsync(keyBytes, token).ConfigureAwait(false);
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
        var support = new TxnCommandSupport();
        var pairs = new Argument<string[]>("pairs") { Description = "key=value pairs, committed together.", Arity = ArgumentArity.OneOrMore };
        var pessimistic = new Option<bool>("--pessimistic") { Description = "Lock the keys pessimistically before writing." };
        var asyncCommit = new Option<bool>("--async-commit") { Description = "Commit with the async-commit protocol when small enough." };
        var onePc = new Option<bool>("--one-pc") { Description = "Try one-phase commit when all pairs fit one region." };
        var command = new Command("put", "Write one or more key=value pairs in one transaction and print its commit_ts.") { pairs, pessimistic, asyncCommit, onePc };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (client, output, token) =>
        {
            var parsed = parseResult.GetValue(pairs)!.Select(p => TxnCommandSupport.Pair(p, output.Hex)).ToList();
            var options = new TransactionOptions
            {
                Mode = parseResult.GetValue(pessimistic) ? TransactionMode.Pessimistic : TransactionMode.Optimistic,
                UseAsyncCommit = parseResult.GetValue(asyncCommit),
                TryOnePhaseCommit = parseResult.GetValue(onePc),
            };
            var txn = await client.BeginTransactionAsync(options, token).ConfigureAwait(false);
            await using (txn.ConfigureAwait(false))
            {
                foreach (var (key, value) in parsed)
                {
                    await txn.PutAsync(key, value, token).ConfigureAwait(false);
                }

                return Committed(output, txn, await txn.CommitAsync(token).ConfigureAwait(false), parsed.Count);
            }
        }, ct));
        return command;
    }

    private static Command Delete()
    {
        var support = new TxnCommandSupport();
        var keys = new Argument<string[]>("keys") { Description = "Keys to delete together.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete one or more keys in one transaction and print its commit_ts.") { keys };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (client, output, token) =>
        {
            var parsed = parseResult.GetValue(keys)!.Select(k => RawCommandSupport.Bytes(k, output.Hex, "key")).ToList();
            var txn = await client.BeginTransactionAsync(cancellationToken: token).ConfigureAwait(false);
            await using (txn.ConfigureAwait(false))
            {
                foreach (var key in parsed)
                {
                    await txn.DeleteAsync(key, token).ConfigureAwait(false);
                }

                return Committed(output, txn, await txn.CommitAsync(token).ConfigureAwait(false), parsed.Count);
            }
        }, ct));
        return command;
    }

    private static Command Scan()
    {
        var support = new TxnCommandSupport();
        var start = new Argument<string>("start") { Description = "First key (inclusive); for --reverse the upper bound (exclusive). \"\" = beginning." };
        var end = new Argument<string?>("end") { Description = "End key (exclusive); for --reverse the lower bound (inclusive). Omitted = no bound.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "Most pairs to print.", DefaultValueFactory = _ => 100 };
        var reverse = new Option<bool>("--reverse") { Description = "Scan downwards from start (exclusive) to end (inclusive)." };
        var timestamp = new Option<ulong?>("--ts") { Description = "Read at this timestamp instead of a fresh one." };
        var command = new Command("scan", "Print the committed pairs in a key range, in key order, from one consistent snapshot.") { start, end, limit, reverse, timestamp };
        support.AddTo(command);
        command.SetAction((parseResult, ct) => support.RunAsync(parseResult, async (client, output, token) =>
        {
            var startKey = RawCommandSupport.Bytes(parseResult.GetValue(start)!, output.Hex, "start key");
            var endKey = parseResult.GetValue(end) is { } e ? RawCommandSupport.Bytes(e, output.Hex, "end key") : [];
            var ts = parseResult.GetValue(timestamp) ?? await client.GetTimestampAsync(token).ConfigureAwait(false);
            var snapshot = client.GetSnapshot(ts);
            var pairs = parseResult.GetValue(reverse)
                ? snapshot.ReverseScanAsync(startKey, endKey, parseResult.GetValue(limit), token)
                : snapshot.ScanAsync(startKey, endKey, parseResult.GetValue(limit), token);
            var list = new List<KvPair>();
            await foreach (var pair in pairs.ConfigureAwait(false))
            {
                list.Add(pair);
            }

            output.Pairs(list);
            return 0;
        }, ct));
        return command;
    }

    private static int Committed(RawOutput output, Transaction txn, ulong commitTs, int keys)
    {
        output.Fields(("start_ts", (long)txn.StartTimestamp), ("commit_ts", (long)commitTs), ("keys", (long)keys));
        return 0;
    }
}
