using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

public sealed class LoggingTests
{
    [Fact]
    public async Task Server_is_quiet_and_reports_failed_handlers_as_warnings()
    {
        var provider = new CapturingProvider();
        using ILoggerFactory factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
        await using var server = new GrpcServer(new GrpcServerOptions { LoggerFactory = factory });
        server.MapUnary(EchoMethods.Unary, (request, _) => request.Text == "fail"
            ? throw new InvalidOperationException("boom")
            : ValueTask.FromResult(new EchoResponse { Text = request.Text }));
        await server.StartAsync("127.0.0.1", 0);
        await using var channel = GrpcChannel.Create(server.Address);

        await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "ok" });
        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "fail" }));

        Assert.All(provider.Entries, entry => Assert.True(entry.Level >= LogLevel.Warning, $"{entry.Level}: {entry.Message}"));
        (LogLevel _, string message, Exception? exception) = Assert.Single(provider.Entries);
        Assert.Contains("/interop.Echo/Unary", message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(exception);
    }

    private sealed class CapturingProvider : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception), exception));

        public void Dispose()
        {
        }
    }
}
