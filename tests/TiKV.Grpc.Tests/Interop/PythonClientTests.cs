using Xunit;

namespace TiKV.Grpc.Tests.Interop;

/// <summary>gRPC C-core's client (Debian python3-grpcio) against the .NET server, case by case.</summary>
public sealed class PythonClientTests : IAsyncLifetime
{
    private EchoServer? _echo;

    public async Task InitializeAsync()
    {
        Python.RequireGrpc();
        _echo = await EchoServer.StartAsync(new GrpcServerOptions { MaxReceiveMessageSize = 8 * 1024 * 1024 });
    }

    public async Task DisposeAsync()
    {
        if (_echo is not null)
        {
            await _echo.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("unary")]
    [InlineData("error")]
    [InlineData("unimplemented")]
    [InlineData("large")]
    [InlineData("too-large")]
    [InlineData("concurrent")]
    [InlineData("bidi")]
    [InlineData("bidi-error")]
    public async Task Python_client_case_passes(string testCase) => await RunCaseAsync(testCase);

    [Fact]
    public async Task Python_deadline_reaches_the_handler()
    {
        await RunCaseAsync("deadline");
        Assert.NotNull(_echo!.Service.LastDeadline);
        Assert.Equal("/interop.Echo/Unary", (await WaitAsync(_echo.Service.CancellationObserved)).Method);
    }

    [Fact]
    public async Task Python_cancel_reaches_the_unary_handler()
    {
        await RunCaseAsync("cancel");
        Assert.Equal("/interop.Echo/Unary", (await WaitAsync(_echo!.Service.CancellationObserved)).Method);
    }

    [Fact]
    public async Task Python_cancel_reaches_the_duplex_handler()
    {
        await RunCaseAsync("bidi-cancel");
        Assert.Equal("/interop.Echo/Duplex", (await WaitAsync(_echo!.Service.CancellationObserved)).Method);
    }

    private async Task RunCaseAsync(string testCase)
    {
        (int exitCode, string output) = await Python.RunAsync("echo_client.py", TimeSpan.FromSeconds(60), Python.ProtoPath, _echo!.Server.Address, testCase);
        Assert.True(exitCode == 0, $"python client case '{testCase}' failed (exit {exitCode}): {output}");
        Assert.Contains("PASS " + testCase, output, StringComparison.Ordinal);
    }

    private static async Task<T> WaitAsync<T>(Task<T> task)
    {
        Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) == task, "the server handler did not observe the call ending");
        return await task;
    }
}
