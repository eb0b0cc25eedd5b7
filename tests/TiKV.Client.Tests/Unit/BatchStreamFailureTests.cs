using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Rpc.Internal;
using TiKV.Client.Tests.Fakes;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;

namespace TiKV.Client.Tests.Unit;

/// <summary>What the requests of a broken BatchCommands stream fail with: retryable unless the store refused the call.</summary>
public class BatchStreamFailureTests
{
    private static BatchSettings Settings() =>
        new(128, TimeSpan.Zero, 8, 200, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeProvider.System);

    private static BatchRequest Get(int i) => new() { RawGet = new RawGetRequest { Key = ByteString.CopyFromUtf8($"k{i}") } };

    [Theory]
    [InlineData(StatusCode.Internal, StatusCode.Unavailable)]
    [InlineData(StatusCode.Cancelled, StatusCode.Unavailable)]
    [InlineData(StatusCode.Unknown, StatusCode.Unavailable)]
    [InlineData(StatusCode.Unimplemented, StatusCode.Unimplemented)]
    [InlineData(StatusCode.PermissionDenied, StatusCode.PermissionDenied)]
    public async Task In_flight_requests_of_a_broken_stream_fail_retryable_unless_the_store_refused_the_call(StatusCode streamStatus, StatusCode expected)
    {
        var factory = new FakeBatchStreamFactory();
        await using var connection = new BatchConnection(0, factory, Settings(), NullLogger.Instance);

        var inflight = connection.SendAsync(Get(1), CancellationToken.None);
        var stream = await WaitForStreamAsync(factory);
        await stream.Written.ReadAsync();
        stream.Break(new RpcException(streamStatus, "the stream died"));

        var error = await Assert.ThrowsAsync<TiKVRpcException>(() => inflight);
        Assert.Equal(expected, error.StatusCode);
        Assert.Equal(expected == StatusCode.Unavailable, error.IsRetryable);
    }

    private static async Task<FakeBatchStream> WaitForStreamAsync(FakeBatchStreamFactory factory)
    {
        for (var i = 0; i < 200 && factory.Opened.IsEmpty; i++)
        {
            await Task.Delay(10);
        }

        return factory.Opened.First();
    }
}
