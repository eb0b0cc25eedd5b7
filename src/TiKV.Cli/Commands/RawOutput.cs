using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using TiKV.Client;

namespace TiKV.Cli.Commands;

/// <summary>Prints raw results as a table (Spectre.Console) or as JSON, with bytes as UTF-8 text or hex.</summary>
internal sealed class RawOutput
{
    private readonly TextWriter _writer;

    public RawOutput(TextWriter writer, bool json, bool hex)
    {
        _writer = writer;
        Json = json;
        Hex = hex;
    }

    public bool Json { get; }

    public bool Hex { get; }

    public string Text(byte[] bytes) => Hex ? Convert.ToHexString(bytes).ToLowerInvariant() : Encoding.UTF8.GetString(bytes);

    public void Pairs(IReadOnlyList<KvPair> pairs, bool keyOnly = false)
    {
        if (Json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartArray();
                foreach (var pair in pairs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("key", Text(pair.Key));
                    if (!keyOnly)
                    {
                        writer.WriteString("value", Text(pair.Value));
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("Key");
        if (!keyOnly)
        {
            table.AddColumn("Value");
        }

        foreach (var pair in pairs)
        {
            table.AddRow(keyOnly ? [Markup.Escape(Text(pair.Key))] : [Markup.Escape(Text(pair.Key)), Markup.Escape(Text(pair.Value))]);
        }

        Console().Write(table);
        _writer.WriteLine(pairs.Count == 1 ? "1 pair" : $"{pairs.Count.ToString(CultureInfo.InvariantCulture)} pairs");
    }

    /// <summary>A small record of named fields (e.g. the outcome of a CAS).</summary>
    public void Fields(params (string Name, object? Value)[] fields)
    {
        if (Json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                foreach (var (name, value) in fields)
                {
                    switch (value)
                    {
                        case null:
                            writer.WriteNull(name);
                            break;
                        case bool b:
                            writer.WriteBoolean(name, b);
                            break;
                        case double d:
                            writer.WriteNumber(name, d);
                            break;
                        case long l:
                            writer.WriteNumber(name, l);
                            break;
                        default:
                            writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                            break;
                    }
                }

                writer.WriteEndObject();
            });
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).HideHeaders();
        table.AddColumn("Field");
        table.AddColumn("Value");
        foreach (var (name, value) in fields)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value switch
            {
                null => "(none)",
                bool b => b ? "true" : "false",
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
            }));
        }

        Console().Write(table);
    }

    public void Message(string text)
    {
        if (Json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("result", text);
                writer.WriteEndObject();
            });
        }
        else
        {
            _writer.WriteLine(text);
        }
    }

    private IAnsiConsole Console() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(_writer),
        Ansi = System.Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
    });

    private void WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        _writer.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
