using System.CommandLine;
using System.Text;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// What the <c>raw</c> subcommands share: the <c>--pd</c>, <c>--hex</c>, <c>--format</c> and <c>--cf</c> options,
/// turning key/value arguments into bytes, connecting, printing pairs as a table or JSON, and mapping client
/// errors to exit codes (1 = the operation failed or found nothing, 2 = bad input).
/// </summary>
internal sealed class RawCommandSupport
{
    /// <summary>tiup playground's PD address, used when <c>--pd</c> is omitted.</summary>
    public const string DefaultPd = "127.0.0.1:2379";

    public Option<string> Pd { get; } = new("--pd")
    {
        Description = "PD endpoints, host:port[,host:port...].",
        DefaultValueFactory = _ => DefaultPd,
    };

    public Option<bool> Hex { get; } = new("--hex") { Description = "Keys and values are given and printed as hexadecimal." };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "Output format: table or json.",
        DefaultValueFactory = _ => "table",
    };

    public Option<string> ColumnFamily { get; } = new("--cf")
    {
        Description = "Column family: default, write or lock.",
        DefaultValueFactory = _ => "default",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Pd);
        command.Options.Add(Hex);
        command.Options.Add(Format);
        command.Options.Add(ColumnFamily);
    }

    /// <summary>Runs a raw operation with a connected client, turning failures into messages and exit codes.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, Func<RawKVClient, RawOutput, CancellationToken, Task<int>> operation, CancellationToken cancellationToken)
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
                var raw = client.Raw.WithColumnFamily(parseResult.GetValue(ColumnFamily)!);
                var output = new RawOutput(parseResult.InvocationConfiguration.Output, format == "json", parseResult.GetValue(Hex));
                return await operation(raw, output, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (FormatException e)
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

    /// <summary>A key or value argument as bytes: UTF-8 text, or hexadecimal with <c>--hex</c>.</summary>
    public static byte[] Bytes(string text, bool hex, string what)
    {
        if (!hex)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromHexString(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text);
        }
        catch (FormatException)
        {
            throw new FormatException($"{what} '{text}' is not hexadecimal (an even number of 0-9, a-f digits).");
        }
    }
}
