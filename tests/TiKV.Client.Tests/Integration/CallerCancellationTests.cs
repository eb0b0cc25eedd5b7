using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.DevCluster;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;

namespace TiKV.Client.Tests.Integration;

/// <summary>
/// The gRPC layer reports a cancelled call as RpcException(Cancelled); the client must surface the caller's own
/// cancellation as OperationCanceledException carrying the caller's token, on unary store calls and PD calls alike,
/// while a Cancelled status the server chose stays an RPC failure.
/// </summary>
public sealed class CallerCancellationTests : IAsyncLifetime
{
    private TiKV.DevCluster.DevCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TiKV.DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 1 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static CancellationToken Cancelled()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        return source.Token;
    }

    private TiKVClientOptions FrozenOptions(bool batched)
    {
        var options = ClusterFixture.Options(_cluster, o => o.EnableBatchCommands = batched);
        options.Freeze();
        return options;
    }

    [Fact]
    public async Task A_unary_store_call_with_a_cancelled_token_throws_OperationCanceledException()
    {
        await using var rpc = new RpcClient(FrozenOptions(batched: true), NullLoggerFactory.Instance);
        var address = _cluster.Stores[0].Address;
        var token = Cancelled();

        var ttl = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => rpc.UnaryAsync(address, TikvMethods.RawGetKeyTtl, new RawGetKeyTTLRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("k") }, token));
        Assert.Equal(token, ttl.CancellationToken);

        var cas = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => rpc.UnaryAsync(address, TikvMethods.RawCompareAndSwap, new RawCASRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("k") }, token));
        Assert.Equal(token, cas.CancellationToken);

        // The same connection still serves a live call afterwards.
        var answer = await rpc.UnaryAsync(address, TikvMethods.RawGetKeyTtl, new RawGetKeyTTLRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("k") }, CancellationToken.None);
        Assert.NotNull(answer);
    }

    [Fact]
    public async Task A_non_batched_store_request_with_a_cancelled_token_throws_OperationCanceledException()
    {
        await using var rpc = new RpcClient(FrozenOptions(batched: false), NullLoggerFactory.Instance);
        var token = Cancelled();
        var request = new BatchRequest { RawGet = new RawGetRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("k") } };

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rpc.SendAsync(_cluster.Stores[0].Address, request, token));
        Assert.Equal(token, error.CancellationToken);
    }

    [Fact]
    public async Task PD_calls_with_a_cancelled_token_throw_OperationCanceledException()
    {
        await using var pd = await PdClient.ConnectAsync(FrozenOptions(batched: true), NullLoggerFactory.Instance, CancellationToken.None);
        Assert.NotNull(await pd.GetRegionAsync(new byte[] { 1 }, CancellationToken.None));
        var token = Cancelled();

        var region = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pd.GetRegionAsync(new byte[] { 1 }, token));
        Assert.Equal(token, region.CancellationToken);

        var store = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pd.GetStoreAsync(_cluster.Stores[0].Id, token));
        Assert.Equal(token, store.CancellationToken);

        var tso = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pd.GetTimestampAsync(token).AsTask());
        Assert.Equal(token, tso.CancellationToken);

        Assert.NotEqual(0UL, await pd.GetTimestampAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_Cancelled_status_sent_by_PD_is_a_PD_failure_not_a_cancellation()
    {
        await using var pd = await PdClient.ConnectAsync(FrozenOptions(batched: true), NullLoggerFactory.Instance, CancellationToken.None);
        _cluster.Faults.InjectPdError("GetRegion", StatusCode.Cancelled, times: 2);

        var error = await Assert.ThrowsAsync<PdException>(() => pd.GetRegionAsync(new byte[] { 1 }, CancellationToken.None));
        Assert.True(error.IsRetryable);
        Assert.Contains("Cancelled", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Client_unary_operations_with_a_cancelled_token_throw_OperationCanceledException(bool batched)
    {
        await using var client = await TiKVClient.ConnectAsync(ClusterFixture.Options(_cluster, o => o.EnableBatchCommands = batched));
        await client.Raw.PutAsync("cancel-k", "v");
        var token = Cancelled();

        var ttl = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Raw.GetKeyTtlAsync("cancel-k", token).AsTask());
        Assert.Equal(token, ttl.CancellationToken);

        var cas = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.Raw.CompareAndSwapAsync("cancel-k"u8.ToArray(), "v"u8.ToArray(), "w"u8.ToArray(), cancellationToken: token).AsTask());
        Assert.Equal(token, cas.CancellationToken);

        var ts = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetTimestampAsync(token).AsTask());
        Assert.Equal(token, ts.CancellationToken);

        Assert.Equal("v"u8.ToArray(), await client.Raw.GetAsync("cancel-k"));
    }
}
