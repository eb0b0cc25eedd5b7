using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TiKV.Grpc.Internal;

/// <summary>
/// The logger factory Kestrel gets: its warnings and errors go to the server's logger factory; its information and
/// debug chatter (a line per connection) does not.
/// </summary>
internal sealed class KestrelLoggerFactory(ILoggerFactory? target) : ILoggerFactory
{
    private readonly ILoggerFactory _target = target ?? NullLoggerFactory.Instance;

    public ILogger CreateLogger(string categoryName) => new WarningsOnly(_target.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Kestrel's logs go to the server's logger factory; add providers there.");

    public void Dispose()
    {
        // The target factory belongs to the caller.
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
