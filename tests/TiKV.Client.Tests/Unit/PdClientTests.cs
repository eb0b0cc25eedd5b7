using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Tests.Fakes;

namespace TiKV.Client.Tests.Unit;

/// <summary>The PD client against scripted PD servers on loopback (no cluster needed).</summary>
public class PdClientTests
{
    private static TiKVClientOptions Options(params string[] endpoints)
    {
        var options = new TiKVClientOptions { PdEndpoints = endpoints, PdTimeout = TimeSpan.FromSeconds(2) };
        options.Freeze();
        return options;
    }

    [Fact]
    public async Task Fails_over_to_the_new_leader_when_the_old_one_dies()
    {
        await using var a = await FakePdServer.StartAsync();
        await using var b = await FakePdServer.StartAsync();
        var leader = "http://" + a.Address;
        string[] members = ["http://" + a.Address, "http://" + b.Address];
        foreach (var server in new[] { a, b })
        {
            server.Leader = () => leader;
            server.Members = () => members;
        }

        await using var pd = await PdClient.ConnectAsync(Options(a.Address), NullLoggerFactory.Instance, CancellationToken.None);
        Assert.Equal(1UL, pd.ClusterId);
        Assert.NotNull(await pd.GetRegionAsync(new byte[] { 1 }, CancellationToken.None));
        Assert.Equal(1, a.RegionCalls);
        Assert.Contains("http://" + b.Address, pd.KnownEndpoints);

        await a.StopAsync();
        leader = "http://" + b.Address;
        Assert.NotNull(await pd.GetRegionAsync(new byte[] { 1 }, CancellationToken.None));
        Assert.Equal(1, b.RegionCalls);
        Assert.Equal("http://" + b.Address, pd.LeaderTarget);
    }

    [Fact]
    public async Task A_response_from_another_cluster_is_an_error()
    {
        await using var a = await FakePdServer.StartAsync();
        await using var pd = await PdClient.ConnectAsync(Options(a.Address), NullLoggerFactory.Instance, CancellationToken.None);
        a.ClusterId = 99;
        var ex = await Assert.ThrowsAsync<PdException>(() => pd.GetRegionAsync(new byte[] { 1 }, CancellationToken.None));
        Assert.False(ex.IsRetryable);
        Assert.Contains("99", ex.Message);
        Assert.Contains("cluster 1", ex.Message);
    }

    [Fact]
    public async Task Waiting_callers_share_one_tso_request_and_get_consecutive_timestamps()
    {
        await using var a = await FakePdServer.StartAsync();
        a.FirstTsoGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pd = await PdClient.ConnectAsync(Options(a.Address), NullLoggerFactory.Instance, CancellationToken.None);

        var first = pd.GetTimestampAsync(CancellationToken.None).AsTask();
        while (a.TsoCounts.IsEmpty)
        {
            await Task.Delay(5);
        }

        var rest = Enumerable.Range(0, 199).Select(_ => pd.GetTimestampAsync(CancellationToken.None).AsTask()).ToArray();
        a.FirstTsoGate.SetResult();
        var stamps = await Task.WhenAll(rest.Prepend(first));

        Assert.Equal(200, stamps.Distinct().Count());
        Assert.Equal(200, a.TsoCounts.Sum(c => (long)c));
        Assert.Equal(new uint[] { 1, 199 }, a.TsoCounts.ToArray());
        var logicals = stamps.Skip(1).Select(TsoMath.Logical).Order().ToArray();
        Assert.Equal(Enumerable.Range(2, 199).Select(i => (long)i), logicals);
    }

    [Fact]
    public async Task A_broken_tso_stream_is_reopened()
    {
        await using var a = await FakePdServer.StartAsync();
        a.FailTsoStreamAfter = 1;
        await using var pd = await PdClient.ConnectAsync(Options(a.Address), NullLoggerFactory.Instance, CancellationToken.None);
        var t1 = await pd.GetTimestampAsync(CancellationToken.None);
        var t2 = await pd.GetTimestampAsync(CancellationToken.None);
        var t3 = await pd.GetTimestampAsync(CancellationToken.None);
        Assert.True(t1 < t2 && t2 < t3);
    }
}
