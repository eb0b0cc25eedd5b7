using Microsoft.Extensions.DependencyInjection;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Raw.Internal;

namespace TiKV.Client.Tests.Unit;

public class OptionsTests
{
    [Fact]
    public void Defaults_mirror_client_go()
    {
        var options = new TiKVClientOptions();
        Assert.Equal(4, options.GrpcConnectionCount);
        Assert.Equal(128, options.MaxBatchSize);
        Assert.Equal(200, options.OverloadThreshold);
        Assert.Equal(TimeSpan.FromSeconds(20), options.RawOperationBudget);
        Assert.Equal(TimeSpan.FromMinutes(10), options.RegionCacheTtl);
        Assert.Equal(512, options.RawBatchPairCount);
        Assert.Equal(16 * 1024, options.RawBatchSize);
        Assert.True(options.EnableBatchCommands);
        Assert.False(options.AtomicForCas);
    }

    [Fact]
    public void Validation_names_the_offending_setting()
    {
        Assert.Contains("PD endpoint", Assert.Throws<ArgumentException>(() => new TiKVClientOptions().Validate()).Message);
        var bad = new TiKVClientOptions { PdEndpoints = ["not a host"] };
        Assert.Contains("not a host", Assert.Throws<ArgumentException>(bad.Validate).Message);
        var zero = new TiKVClientOptions { PdEndpoints = ["127.0.0.1:2379"], GrpcConnectionCount = 0 };
        Assert.Equal(nameof(TiKVClientOptions.GrpcConnectionCount), Assert.Throws<ArgumentException>(zero.Validate).ParamName);
        var negative = new TiKVClientOptions { PdEndpoints = ["127.0.0.1:2379"], MaxBatchWaitTime = TimeSpan.FromSeconds(-1) };
        Assert.Equal(nameof(TiKVClientOptions.MaxBatchWaitTime), Assert.Throws<ArgumentException>(negative.Validate).ParamName);
    }

    [Fact]
    public async Task Options_freeze_when_a_client_is_built()
    {
        var options = new TiKVClientOptions { PdEndpoints = ["127.0.0.1:2379"] };
        await using var client = TiKVClient.Create(options);
        Assert.True(options.IsFrozen);
        Assert.Throws<InvalidOperationException>(() => options.MaxBatchSize = 3);
        Assert.Throws<NotSupportedException>(() => options.PdEndpoints.Add("x:1"));
    }

    [Theory]
    [InlineData("127.0.0.1:2379", "127.0.0.1:2379")]
    [InlineData(" pd-0.pd:2379 ", "pd-0.pd:2379")]
    [InlineData("http://10.0.0.1:2379", "http://10.0.0.1:2379")]
    [InlineData("https://pd:2379/", "https://pd:2379")]
    public void Pd_endpoints_parse(string input, string expected)
    {
        Assert.True(PdEndpoint.TryParse(input, out var target));
        Assert.Equal(expected, target);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("ftp://x:1")]
    [InlineData("http://x:1/path")]
    public void Bad_pd_endpoints_are_rejected(string input) => Assert.False(PdEndpoint.TryParse(input, out _));

    [Fact]
    public void Tls_rewrites_member_urls_to_https()
    {
        Assert.Equal("https://a:1", PdEndpoint.ForTls("http://a:1", useTls: true));
        Assert.Equal("http://a:1", PdEndpoint.ForTls("http://a:1", useTls: false));
    }

    [Fact]
    public async Task Dependency_injection_registers_a_lazy_singleton_client_and_raw_api()
    {
        var services = new ServiceCollection();
        services.AddTiKVClient(o => o.PdEndpoints = ["127.0.0.1:2379"]);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<TiKVClient>();
        Assert.Same(client, provider.GetRequiredService<TiKVClient>());
        Assert.Same(client.Raw, provider.GetRequiredService<RawKVClient>());
        Assert.Equal(0UL, client.ClusterId);
    }

    [Fact]
    public void Batches_close_at_the_count_or_size_limit()
    {
        var items = new ArraySegment<int>(Enumerable.Range(0, 10).ToArray());
        Assert.Equal(new[] { 4, 4, 2 }, BatchSplitter.Split(items, _ => 1, 100, 4).Select(s => s.Count));
        Assert.Equal(new[] { 3, 3, 3, 1 }, BatchSplitter.Split(items, _ => 10, 30, 100).Select(s => s.Count));
        Assert.Empty(BatchSplitter.Split(new ArraySegment<int>([]), _ => 1, 10, 10));
    }
}
