using System.CommandLine;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// What the <c>txn</c> and <c>raw</c> subcommands share: <c>--pd</c>, <c>--hex</c> and <c>--format</c>, connecting, and mapping
/// failures to exit codes (1 = the transaction failed or found nothing, 2 = bad input). Keys and values are turned
/// into bytes as the raw commands do.
/// </summary>
internal class TxnCommandSupport
{
    public Option<string> Pd { get; } = new("--pd")
    {
        Description = "PD endpoints, host:port[,host:port...].",
        DefaultValueFactory = _ => RawCommandSupport.DefaultPd,
    };

    public Option<bool> Hex { get; } = new("--hex") { Description = "Keys and values are given and printed as hexadecimal." };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "Output format: table or json.",
        DefaultValueFactory = _ => "table",
    };

    public virtual void AddTo(Command command)
    {
        command.Options.Add(Pd);
        command.Options.Add(Hex);
        command.Options.Add(Format);
    }

    /// <summary>Runs a transactional operation with a connected client, turning failures into messages and exit codes.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, Func<TiKVClient, RawOutput, CancellationToken, Task<int>> operation, CancellationToken cancellationToken)
    {
        var error = parseResult.InvocationConfiguration.Error;
        var format = parseResult.GetValue(Format)!;
        if (format is not ("table" or "json"))
        {
            await error.WriteLineAsync($"error: --format must be 'table' or 'json' (got '{format}').").ConfigureAwait(false);
            return 2;
        }

        var options = new TiKVClientOptions { AtomicForCas = true, PdTimeout = TimeSpan.FromSeconds(3) };
        foreach (var endpoint in parseResult.GetValue(Pd)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.PdEndpoints.Add(endpoint);
        }

        try
        {
            options.Validate();
            var client = await TiKVClient.ConnectAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var output = new RawOutput(parseResult.InvocationConfiguration.Output, format == "json", parseResult.GetValue(Hex));
                return await operation(client, output, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (TiKVException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>A <c>key=value</c> argument as bytes (split at the first '=').</summary>
    public static (byte[] Key, byte[] Value) Pair(string text, bool hex)
    {
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new FormatException($"'{text}' is not key=value.");
        }

        return (RawCommandSupport.Bytes(text[..separator], hex, "key"), RawCommandSupport.Bytes(text[(separator + 1)..], hex, "value"));
    }
}
