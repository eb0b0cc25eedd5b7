using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>The client contract against the .NET server.</summary>
public sealed class DotnetServerClientTests : EchoClientContract, IAsyncLifetime
{
    private EchoServer? _echo;

    protected override string Target => _echo!.Server.Address;

    public async Task InitializeAsync() =>
        _echo = await EchoServer.StartAsync(new GrpcServerOptions { MaxReceiveMessageSize = ServerReceiveLimit });

    public async Task DisposeAsync() => await _echo!.DisposeAsync();

    protected override async Task<bool> ServerSawCancellationAsync(string method)
    {
        Task<ServerCallContext> observed = _echo!.Service.CancellationObserved;
        if (await Task.WhenAny(observed, Task.Delay(TimeSpan.FromSeconds(10))) != observed)
        {
            return false;
        }

        return (await observed).Method == "/interop.Echo/" + method;
    }

    // Each test gets its own server, so there is nothing earlier to forget.
    protected override void ForgetCancellations()
    {
    }
}
