using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Rpc.Internal;
using TiKV.Client.Tests.Fakes;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Tests.Unit;

public class BatchConnectionTests
{
    private static BatchSettings Settings(TimeSpan? timeout = null, TimeSpan? maxWait = null, int waitSize = 8) =>
        new(128, maxWait ?? TimeSpan.Zero, waitSize, 200, timeout ?? TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeProvider.System);

    private static BatchRequest Get(int i) => new() { RawGet = new RawGetRequest { Key = ByteString.CopyFromUtf8($"k{i}") } };

    /// <summary>Answers every written request with a RawGet response echoing its key, in reverse order within a batch.</summary>
    private static async Task EchoAsync(FakeBatchStream stream, int batches, ulong load = 0)
    {
        for (var b = 0; b < batches; b++)
        {
            var request = await stream.Written.ReadAsync();
            var response = new BatchCommandsResponse { TransportLayerLoad = load };
            for (var i = request.Requests.Count - 1; i >= 0; i--)
            {
                response.RequestIds.Add(request.RequestIds[i]);
                response.Responses.Add(new BatchResponse { RawGet = new RawGetResponse { Value = request.Requests[i].RawGet.Key } });
            }

            stream.Respond(response);
        }
    }

    [Fact]
    public async Task Pending_requests_are_batched_up_to_max_batch_size_and_matched_by_id()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new FakeBatchStreamFactory(() => new FakeBatchStream { WriteGate = gate });
        await using var connection = new BatchConnection(0, factory, Settings(), NullLogger.Instance);

        var first = connection.SendAsync(Get(-1), CancellationToken.None);
        await Task.Delay(50);
        var rest = Enumerable.Range(0, 300).Select(i => connection.SendAsync(Get(i), CancellationToken.None)).ToArray();
        gate.SetResult();

        var stream = await WaitForStreamAsync(factory, 1);
        var sizes = new List<int>();
        var ids = new HashSet<ulong>();
        var answered = 0;
        while (answered < 301)
        {
            var request = await stream.Written.ReadAsync();
            sizes.Add(request.Requests.Count);
            Assert.All(request.RequestIds, id => Assert.True(ids.Add(id), "request ids are unique"));
            var response = new BatchCommandsResponse();
            for (var i = request.Requests.Count - 1; i >= 0; i--)
            {
                response.RequestIds.Add(request.RequestIds[i]);
                response.Responses.Add(new BatchResponse { RawGet = new RawGetResponse { Value = request.Requests[i].RawGet.Key } });
            }

            stream.Respond(response);
            answered += request.Requests.Count;
        }

        Assert.Equal("k-1", (await first).RawGet.Value.ToStringUtf8());
        for (var i = 0; i < rest.Length; i++)
        {
            Assert.Equal($"k{i}", (await rest[i]).RawGet.Value.ToStringUtf8());
        }

        Assert.All(sizes, s => Assert.InRange(s, 1, 128));
        Assert.Contains(sizes, s => s == 128);
        Assert.Equal(ids.OrderBy(x => x), ids.Order());
    }

    [Fact]
    public async Task Broken_stream_fails_in_flight_requests_and_the_next_request_reconnects()
    {
        var factory = new FakeBatchStreamFactory();
        await using var connection = new BatchConnection(0, factory, Settings(), NullLogger.Instance);

        var warm = connection.SendAsync(Get(0), CancellationToken.None);
        var firstStream = await WaitForStreamAsync(factory, 1);
        await EchoAsync(firstStream, 1);
        await warm;

        var inflight = connection.SendAsync(Get(1), CancellationToken.None);
        await firstStream.Written.ReadAsync();
        firstStream.Break();
        var error = await Assert.ThrowsAsync<TiKVRpcException>(() => inflight);
        Assert.True(error.IsRetryable);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);

        var after = connection.SendAsync(Get(2), CancellationToken.None);
        var second = await WaitForStreamAsync(factory, 2);
        await EchoAsync(second, 1);
        Assert.Equal("k2", (await after).RawGet.Value.ToStringUtf8());
    }

    [Fact]
    public async Task A_stream_that_never_answered_delays_reconnects_and_fails_fast_meanwhile()
    {
        var factory = new FakeBatchStreamFactory();
        await using var connection = new BatchConnection(0, factory, Settings(), NullLogger.Instance);
        var first = connection.SendAsync(Get(0), CancellationToken.None);
        var stream = await WaitForStreamAsync(factory, 1);
        await stream.Written.ReadAsync();
        stream.Break(new RpcException(StatusCode.Unavailable, "Failed to connect"));
        await Assert.ThrowsAsync<TiKVRpcException>(() => first);

        var during = await Assert.ThrowsAsync<TiKVRpcException>(() => connection.SendAsync(Get(1), CancellationToken.None));
        Assert.Contains("reconnecting", during.Message);
        Assert.Single(factory.Opened);
    }

    [Fact]
    public async Task Unanswered_request_times_out_and_a_late_answer_is_skipped()
    {
        var factory = new FakeBatchStreamFactory();
        await using var connection = new BatchConnection(0, factory, Settings(timeout: TimeSpan.FromMilliseconds(200)), NullLogger.Instance);
        var slow = connection.SendAsync(Get(0), CancellationToken.None);
        var stream = await WaitForStreamAsync(factory, 1);
        var written = await stream.Written.ReadAsync();

        var error = await Assert.ThrowsAsync<TiKVRpcException>(() => slow);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);

        var late = new BatchCommandsResponse();
        late.RequestIds.Add(written.RequestIds[0]);
        late.Responses.Add(new BatchResponse { RawGet = new RawGetResponse() });
        stream.Respond(late);

        var next = connection.SendAsync(Get(1), CancellationToken.None);
        await EchoAsync(stream, 1);
        Assert.Equal("k1", (await next).RawGet.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Caller_cancellation_completes_the_request_as_cancelled()
    {
        var factory = new FakeBatchStreamFactory();
        await using var connection = new BatchConnection(0, factory, Settings(), NullLogger.Instance);
        using var cts = new CancellationTokenSource();
        var call = connection.SendAsync(Get(0), cts.Token);
        var stream = await WaitForStreamAsync(factory, 1);
        await stream.Written.ReadAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task Under_reported_load_the_send_loop_waits_for_a_fuller_batch()
    {
        var factory = new FakeBatchStreamFactory();
        await using var connection = new BatchConnection(0, factory, Settings(maxWait: TimeSpan.FromSeconds(5), waitSize: 8), NullLogger.Instance);
        var warm = connection.SendAsync(Get(0), CancellationToken.None);
        var stream = await WaitForStreamAsync(factory, 1);
        await EchoAsync(stream, 1, load: 500);
        await warm;
        Assert.Equal(500, connection.TransportLoad);

        var calls = new List<Task<BatchResponse>> { connection.SendAsync(Get(1), CancellationToken.None) };
        await Task.Delay(20);
        for (var i = 2; i <= 8; i++)
        {
            calls.Add(connection.SendAsync(Get(i), CancellationToken.None));
        }

        var batch = await stream.Written.ReadAsync();
        Assert.Equal(8, batch.Requests.Count);
    }

    [Fact]
    public async Task Dispose_fails_queued_requests_and_rejects_new_ones()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = new FakeBatchStreamFactory(() => new FakeBatchStream { WriteGate = gate });
        var connection = new BatchConnection(0, factory, Settings(), NullLogger.Instance);
        var pending = connection.SendAsync(Get(0), CancellationToken.None);
        await connection.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
        Assert.Throws<ObjectDisposedException>(() => { _ = connection.SendAsync(Get(1), CancellationToken.None); });
    }

    private static async Task<FakeBatchStream> WaitForStreamAsync(FakeBatchStreamFactory factory, int count)
    {
        for (var i = 0; i < 200 && factory.Opened.Count < count; i++)
        {
            await Task.Delay(10);
        }

        return factory.Opened.ElementAt(count - 1);
    }
}
