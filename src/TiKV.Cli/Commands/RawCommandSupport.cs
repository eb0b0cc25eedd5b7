using System.CommandLine;
using System.Text;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>
/// What the <c>raw</c> subcommands share: the <c>--pd</c>, <c>--hex</c>, <c>--format</c> and <c>--cf</c> options,
/// turning key/value arguments into bytes, connecting, printing pairs as a table or JSON, and mapping client
/// errors to exit codes (1 = the operation failed or found nothing, 2 = bad input).
/// </summary>
internal sealed class RawCommandSupport : TxnCommandSupport
{
    /// <summary>tiup playground's PD address, used when <c>--pd</c> is omitted.</summary>
    public const string DefaultPd = "127.0.0.1:2379";

    public Option<string> ColumnFamily { get; } = new("--cf")
    {
        Description = "Column family: default, write or lock.",
        DefaultValueFactory = _ => "default",
    };

    public override void AddTo(Command command)
    {
        base.AddTo(command);
        command.Options.Add(ColumnFamily);
    }

    /// <summary>Runs a raw operation on the chosen column family, turning failures into messages and exit codes.</summary>
    public Task<int> RunAsync(ParseResult parseResult, Func<RawKVClient, RawOutput, CancellationToken, Task<int>> operation, CancellationToken cancellationToken)
        => RunAsync(
            parseResult,
            (client, output, token) => operation(client.Raw.WithColumnFamily(parseResult.GetValue(ColumnFamily)!), output, token),
            cancellationToken);

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
