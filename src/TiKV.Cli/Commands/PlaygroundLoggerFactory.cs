using Microsoft.Extensions.Logging;

namespace TiKV.Cli.Commands;

/// <summary>
/// The playground's log: DevCluster's and its gRPC servers' messages at <see cref="MinimumLevel"/> or above, one line
/// each on the error stream (the endpoint table stays alone on standard output).
/// </summary>
internal sealed class PlaygroundLoggerFactory : ILoggerFactory
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    public PlaygroundLoggerFactory(TextWriter writer, LogLevel minimumLevel)
    {
        _writer = writer;
        MinimumLevel = minimumLevel;
    }

    public LogLevel MinimumLevel { get; }

    public ILogger CreateLogger(string categoryName) => new PlaygroundLogger(this, categoryName);

    /// <summary>Other providers are not supported: the playground writes its one log itself.</summary>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("The playground log has no providers to add.");

    public void Dispose()
    {
    }

    /// <summary>Writes one entry; entries from concurrent threads never interleave.</summary>
    internal void Write(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }
}
