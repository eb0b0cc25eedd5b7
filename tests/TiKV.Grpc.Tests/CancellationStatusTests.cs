using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>
/// However a call is cancelled — before it starts, while it runs, or while an operation waits its turn — the caller
/// sees <see cref="RpcException"/> with <see cref="StatusCode.Cancelled"/>, as grpc-dotnet reports it.
/// </summary>
public sealed class CancellationStatusTests : IAsyncLifetime
{
    private EchoServer? _echo;

    public async Task InitializeAsync() => _echo = await EchoServer.StartAsync();

    public async Task DisposeAsync() => await _echo!.DisposeAsync();

    [Fact]
    public async Task Pre_cancelled_unary_call_is_cancelled_status()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        RpcException error = await Assert.ThrowsAsync<RpcException>(
            () => _echo!.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest(), cancellationToken: cts.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Pre_cancelled_unary_call_with_a_deadline_is_cancelled_status()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        RpcException error = await Assert.ThrowsAsync<RpcException>(
            () => _echo!.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest(), new CallOptions(Timeout: TimeSpan.FromSeconds(5)), cts.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Mid_call_cancel_of_unary_call_is_the_same_status()
    {
        using var cts = new CancellationTokenSource();
        Task<EchoResponse> call = _echo!.Channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { SleepMs = 30_000 }, cancellationToken: cts.Token);
        await cts.CancelAsync();
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Pre_cancelled_streaming_call_is_cancelled_status()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = _echo!.Channel.DuplexStreaming(EchoMethods.Duplex, cancellationToken: cts.Token);
        RpcException write = await Assert.ThrowsAsync<RpcException>(async () => await call.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Cancelled, write.StatusCode);
        RpcException read = await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
        Assert.Equal(StatusCode.Cancelled, read.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.Status);
    }

    [Fact]
    public async Task Operation_cancelled_while_waiting_for_another_read_is_cancelled_status()
    {
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = _echo!.Channel.DuplexStreaming(EchoMethods.Duplex);
        ValueTask<bool> first = call.MoveNextAsync();
        using var cts = new CancellationTokenSource();
        ValueTask<bool> second = call.MoveNextAsync(cts.Token);
        await cts.CancelAsync();

        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await second);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        RpcException firstError = await Assert.ThrowsAsync<RpcException>(async () => await first);
        Assert.Equal(StatusCode.Cancelled, firstError.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.Status);
    }

    [Fact]
    public async Task Pre_cancelled_operation_token_on_a_live_stream_is_cancelled_status()
    {
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = _echo!.Channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { Text = "a" });
        Assert.True(await call.MoveNextAsync());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await call.CompleteAsync(cts.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}
