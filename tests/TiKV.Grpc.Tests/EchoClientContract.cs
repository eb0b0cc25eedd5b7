using Google.Protobuf;
using TiKV.Grpc.Internal;
using TiKV.Grpc.Tests.Protos;
using Xunit;

namespace TiKV.Grpc.Tests;

/// <summary>
/// What the .NET client must do against any Echo server: run once against the .NET server and once against
/// gRPC C-core (Python), so both ends agree on the wire.
/// </summary>
public abstract class EchoClientContract
{
    protected const string NonAscii = "ключ не найден ✓";

    /// <summary>The server's receive limit; requests above it must fail with ResourceExhausted.</summary>
    protected const int ServerReceiveLimit = 8 * 1024 * 1024;

    protected abstract string Target { get; }

    protected virtual int BidiMessageCount => 10_000;

    /// <summary>Whether the server observed a call of <paramref name="method"/> ending early.</summary>
    protected abstract Task<bool> ServerSawCancellationAsync(string method);

    protected abstract void ForgetCancellations();

    protected GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.Create(Target, options);

    [Fact]
    public async Task Unary_carries_messages_and_metadata_both_ways()
    {
        await using GrpcChannel channel = CreateChannel();
        var headers = new Metadata { { "echo-text", "value" }, { "echo-data-bin", [0, 255, 16] }, { "plain", "x" } };
        UnaryCallResult<EchoResponse> result = await channel.UnaryCallAsync(
            EchoMethods.Unary,
            new EchoRequest { Text = "hi", Payload = ByteString.CopyFrom(1, 2) },
            new CallOptions(Headers: headers));

        Assert.Equal("hi", result.Response.Text);
        Assert.Equal(new byte[] { 1, 2 }, result.Response.Payload.ToByteArray());
        Assert.Contains("plain=x", result.Response.SeenMetadata);
        Assert.Contains("echo-data-bin=AP8Q", result.Response.SeenMetadata);
        Assert.Equal("value", result.ResponseHeaders.Get("echo-text"));
        Assert.Equal(new byte[] { 0, 255, 16 }, result.ResponseHeaders.GetBytes("echo-data-bin"));
        Assert.Equal(new byte[] { 0, 255, 16 }, result.Trailers.GetBytes("echo-data-bin"));
    }

    [Fact]
    public async Task Error_status_keeps_a_non_ascii_message_and_trailers()
    {
        await using GrpcChannel channel = CreateChannel();
        RpcException error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { StatusCode = (int)StatusCode.NotFound, StatusMessage = NonAscii }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(NonAscii, error.Detail);
        Assert.Equal("from-handler", error.Trailers.Get("error-detail"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, error.Trailers.GetBytes("error-bin"));
        Assert.Contains("StatusCode=NotFound", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        await using GrpcChannel channel = CreateChannel();
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Missing, new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);

        // The channel stays usable.
        Assert.Equal("next", (await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "next" })).Text);
    }

    [Fact]
    public async Task Unary_deadline_is_exceeded_and_the_server_sees_it()
    {
        ForgetCancellations();
        await using GrpcChannel channel = CreateChannel();
        RpcException error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { SleepMs = 10_000 }, new CallOptions(Timeout: TimeSpan.FromMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(await ServerSawCancellationAsync("Unary"), "the server handler did not see the deadline");
    }

    [Fact]
    public async Task Unary_cancellation_is_cancelled_and_the_server_sees_it()
    {
        ForgetCancellations();
        await using GrpcChannel channel = CreateChannel();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        RpcException error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { SleepMs = 10_000 }, cancellationToken: cts.Token));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await ServerSawCancellationAsync("Unary"), "the server handler did not see the cancellation");
    }

    [Fact]
    public async Task Messages_of_several_MiB_pass_with_raised_limits()
    {
        await using GrpcChannel channel = CreateChannel();
        byte[] payload = new byte[5 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        EchoResponse echoed = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFrom(payload) });
        Assert.True(echoed.Payload.Span.SequenceEqual(payload));

        EchoResponse large = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { ResponseSize = 6 * 1024 * 1024 });
        Assert.Equal(6 * 1024 * 1024, large.Payload.Length);
    }

    [Fact]
    public async Task Oversized_messages_are_resource_exhausted()
    {
        await using GrpcChannel channel = CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 * 1024, MaxSendMessageSize = 16 * 1024 * 1024 });

        RpcException serverSide = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[ServerReceiveLimit + 1024]) }));
        Assert.Equal(StatusCode.ResourceExhausted, serverSide.StatusCode);

        RpcException receive = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { ResponseSize = 2 * 1024 * 1024 }));
        Assert.Equal(StatusCode.ResourceExhausted, receive.StatusCode);

        RpcException send = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFrom(new byte[17 * 1024 * 1024]) }));
        Assert.Equal(StatusCode.ResourceExhausted, send.StatusCode);
        Assert.Contains("Sending message exceeds", send.Detail, StringComparison.Ordinal);

        Assert.Equal("after", (await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "after" })).Text);
    }

    [Fact]
    public async Task Two_hundred_concurrent_unary_calls_complete()
    {
        await using GrpcChannel channel = CreateChannel();
        EchoResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Sequence = i, SleepMs = 20 })));
        Assert.Equal(Enumerable.Range(0, 200), responses.Select(r => r.Sequence));
    }

    [Fact]
    public async Task Duplex_reads_and_writes_run_concurrently()
    {
        await using GrpcChannel channel = CreateChannel();
        var headers = new Metadata { { "echo-stream", "s" } };
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex, new CallOptions(Headers: headers));
        int count = BidiMessageCount;
        Task writer = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                // Batches of 16 messages share one flush.
                await call.WriteAsync(new EchoRequest { Sequence = i, Text = "m" }, flush: i % 16 == 15);
            }

            await call.CompleteAsync();
        });

        int expected = 0;
        await foreach (EchoResponse response in call.ReadAllAsync())
        {
            Assert.Equal(expected++, response.Sequence);
        }

        await writer;
        Assert.Equal(count, expected);
        Assert.Equal(StatusCode.OK, call.Status);
        Assert.Equal("s", (await call.ResponseHeadersAsync).Get("echo-stream"));
        Assert.Equal("s", call.GetTrailers().Get("echo-stream"));
    }

    [Fact]
    public async Task Duplex_writes_from_many_tasks_are_serialized()
    {
        await using GrpcChannel channel = CreateChannel();
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        const int Writers = 4;
        const int PerWriter = 500;
        Task[] writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                await call.WriteAsync(new EchoRequest { Sequence = (w * PerWriter) + i, Payload = ByteString.CopyFrom(new byte[w * 100]) }, flush: i % 8 == 7);
            }

            await call.FlushAsync();
        })).ToArray();
        Task completion = Task.WhenAll(writers).ContinueWith(_ => call.CompleteAsync().AsTask(), TaskScheduler.Default).Unwrap();

        var seen = new HashSet<int>();
        await foreach (EchoResponse response in call.ReadAllAsync())
        {
            Assert.True(seen.Add(response.Sequence));
            Assert.Equal(response.Sequence / PerWriter * 100, response.Payload.Length);
        }

        await completion;
        Assert.Equal(Writers * PerWriter, seen.Count);
    }

    [Fact]
    public async Task Duplex_error_status_follows_earlier_messages()
    {
        await using GrpcChannel channel = CreateChannel();
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { Sequence = 1 });
        Assert.True(await call.MoveNextAsync());
        Assert.Equal(1, call.Current.Sequence);

        await call.WriteAsync(new EchoRequest { StatusCode = (int)StatusCode.FailedPrecondition, StatusMessage = NonAscii });
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(NonAscii, error.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, call.Status);
        Assert.Equal("from-handler", call.GetTrailers().Get("error-detail"));
    }

    [Fact]
    public async Task Duplex_writes_after_the_server_failed_report_its_status()
    {
        await using GrpcChannel channel = CreateChannel();
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { StatusCode = (int)StatusCode.Aborted, StatusMessage = "stop" });

        // Nobody reads: the writer itself must find the status once the server has ended the call.
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                await call.WriteAsync(new EchoRequest { Sequence = i });
                await Task.Delay(1);
            }
        });
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("stop", error.Detail);
        await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
    }

    [Fact]
    public async Task Duplex_deadline_is_exceeded()
    {
        await using GrpcChannel channel = CreateChannel();
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call =
            channel.DuplexStreaming(EchoMethods.Duplex, new CallOptions(Timeout: TimeSpan.FromMilliseconds(300)));
        await call.WriteAsync(new EchoRequest { SleepMs = 10_000 });
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, call.Status);
    }

    [Fact]
    public async Task Duplex_dispose_cancels_and_the_server_sees_it()
    {
        ForgetCancellations();
        await using GrpcChannel channel = CreateChannel();
        DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { SleepMs = 10_000 });
        await Task.Delay(200);
        await call.DisposeAsync();

        Assert.Equal(StatusCode.Cancelled, call.Status);
        Assert.True(await ServerSawCancellationAsync("Duplex"), "the server handler did not see the cancellation");
        await Assert.ThrowsAsync<RpcException>(async () => await call.WriteAsync(new EchoRequest()));
        await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync());
    }

    [Fact]
    public async Task Duplex_read_cancellation_is_cancelled()
    {
        await using GrpcChannel channel = CreateChannel();
        await using DuplexStreamingCall<EchoRequest, EchoResponse> call = channel.DuplexStreaming(EchoMethods.Duplex);
        await call.WriteAsync(new EchoRequest { SleepMs = 10_000 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await call.MoveNextAsync(cts.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}
