using System.Text;
using TiKV.DevCluster;

namespace TiKV.Client.Tests.Integration;

/// <summary>
/// Every region error TiKV can send, injected into a live DevCluster: the client recovers from each recoverable
/// kind and fails at once on RaftEntryTooLarge. The fault's hit counter proves the store really served the error.
/// </summary>
public class InjectedRegionErrorTests : IClassFixture<ClusterFixture>
{
    private readonly ClusterFixture _fixture;

    public InjectedRegionErrorTests(ClusterFixture fixture) => _fixture = fixture;

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    public static TheoryData<DevRegionErrorKind, bool> Recoverable()
    {
        var data = new TheoryData<DevRegionErrorKind, bool>();
        foreach (var kind in Enum.GetValues<DevRegionErrorKind>().Where(k => k != DevRegionErrorKind.RaftEntryTooLarge))
        {
            data.Add(kind, true);
            data.Add(kind, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Recoverable))]
    public async Task Read_recovers_from_an_injected_error(DevRegionErrorKind kind, bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var key = $"inj-read-{kind}-{batched}";
        await raw.PutAsync(key, "v");

        var fault = _fixture.Cluster.Faults.InjectRegionError(null, "RawGet", kind);
        try
        {
            Assert.Equal("v", S(await raw.GetAsync(key)));
            Assert.Equal(1, fault.Hits);
        }
        finally
        {
            fault.Remove();
        }
    }

    [Theory]
    [MemberData(nameof(Recoverable))]
    public async Task Write_recovers_from_an_injected_error(DevRegionErrorKind kind, bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var key = $"inj-write-{kind}-{batched}";

        // Twice in a row (once for the busy kinds, whose backoff starts at seconds).
        var times = kind is DevRegionErrorKind.ServerIsBusy or DevRegionErrorKind.DiskFull ? 1 : 2;
        var fault = _fixture.Cluster.Faults.InjectRegionError(null, "RawPut", kind, times);
        try
        {
            await raw.PutAsync(key, "written");
            Assert.Equal(times, fault.Hits);
        }
        finally
        {
            fault.Remove();
        }

        Assert.Equal("written", S(await raw.GetAsync(key)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Raft_entry_too_large_fails_at_once(bool batched)
    {
        var raw = _fixture.Client(batched).Raw;
        var key = $"inj-too-large-{batched}";
        var fault = _fixture.Cluster.Faults.InjectRegionError(null, "RawPut", DevRegionErrorKind.RaftEntryTooLarge, times: Timeout.Infinite);
        try
        {
            var error = await Assert.ThrowsAsync<RegionException>(() => raw.PutAsync(key, "v").AsTask());
            Assert.Equal("RaftEntryTooLarge", error.Kind);
            Assert.NotNull(error.RegionError.RaftEntryTooLarge);
            Assert.False(error.IsRetryable);
            Assert.Equal(1, fault.Hits);
        }
        finally
        {
            fault.Remove();
        }

        Assert.Null(await raw.GetAsync(key));
    }

    [Fact]
    public async Task Batch_get_over_several_regions_recovers_when_one_region_errs()
    {
        var cluster = _fixture.Cluster;
        await cluster.SplitRegionAsync(Encoding.UTF8.GetBytes("inj-batch-5"));
        var raw = _fixture.Batched.Raw;
        var pairs = Enumerable.Range(0, 10).Select(i => new KvPair($"inj-batch-{i}", $"v{i}")).ToList();
        await raw.BatchPutAsync(pairs);

        var fault = cluster.Faults.InjectRegionError(null, "RawBatchGet", DevRegionErrorKind.EpochNotMatch);
        try
        {
            Assert.Equal(pairs, await raw.BatchGetAsync(pairs.Select(p => p.Key)));
            Assert.Equal(1, fault.Hits);
        }
        finally
        {
            fault.Remove();
        }
    }
}
