using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Xunit;

namespace TiKV.Grpc.Tests.Interop;

/// <summary>The Python (gRPC C-core) Echo server, started once for a test class.</summary>
public sealed class PythonEchoServer : IAsyncLifetime
{
    /// <summary>The server's receive limit; the .NET client's oversize tests go just above it.</summary>
    public const int MaxReceiveMessageSize = 8 * 1024 * 1024;

    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private Process? _process;

    public string Target { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Python.RequireGrpc();
        _process = Process.Start(Python.StartInfo("echo_server.py", Python.ProtoPath, MaxReceiveMessageSize.ToString(CultureInfo.InvariantCulture)))!;
        _ = PumpAsync(_process.StandardOutput);
        Task<string> errors = _process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(cts.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                throw new InvalidOperationException($"The Python echo server did not start: {await errors}", ex);
            }

            if (line.StartsWith("PORT ", StringComparison.Ordinal))
            {
                Target = "127.0.0.1:" + line[5..];
                return;
            }
        }
    }

    /// <summary>Waits for the server to report that a handler of <paramref name="method"/> saw its call end early.</summary>
    public async Task<bool> WaitForCancellationAsync(string method, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                string line = await _lines.Reader.ReadAsync(cts.Token);
                if (line == "CANCELLED " + method)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Forgets cancellation reports of earlier tests.</summary>
    public void DrainReports()
    {
        while (_lines.Reader.TryRead(out _))
        {
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            await _lines.Writer.WriteAsync(line);
        }

        _lines.Writer.TryComplete();
    }
}
