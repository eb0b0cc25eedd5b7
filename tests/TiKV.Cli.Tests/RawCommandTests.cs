using System.Text.Json;
using TiKV.Cli;
using TiKV.DevCluster;
using Xunit;

namespace TiKV.Cli.Tests;

/// <summary><c>tikvnet raw ...</c> and <c>tikvnet bench raw</c> against an in-process DevCluster.</summary>
public sealed class RawCommandTests : IAsyncLifetime
{
    private DevCluster.DevCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 1 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        CliRun.RunAsync([.. args, "--pd", _cluster.PdAddress]);

    [Fact]
    public async Task Put_get_scan_delete_round_trip_as_json()
    {
        Assert.Equal(0, (await RunAsync("raw", "put", "k1", "v1")).ExitCode);
        Assert.Equal(0, (await RunAsync("raw", "put", "k2", "v2")).ExitCode);

        var (code, output, _) = await RunAsync("raw", "get", "k1", "--format", "json");
        Assert.Equal(0, code);
        var pair = JsonDocument.Parse(output).RootElement[0];
        Assert.Equal("k1", pair.GetProperty("key").GetString());
        Assert.Equal("v1", pair.GetProperty("value").GetString());

        (code, output, _) = await RunAsync("raw", "scan", "k", "l", "--format", "json");
        Assert.Equal(0, code);
        Assert.Equal(2, JsonDocument.Parse(output).RootElement.GetArrayLength());

        (code, output, _) = await RunAsync("raw", "scan", "l", "k", "--reverse", "--limit", "1", "--format", "json");
        Assert.Equal("k2", JsonDocument.Parse(output).RootElement[0].GetProperty("key").GetString());

        Assert.Equal(0, (await RunAsync("raw", "delete", "k1")).ExitCode);
        var missing = await RunAsync("raw", "get", "k1");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Error);

        Assert.Equal(0, (await RunAsync("raw", "delete-range", "k", "l")).ExitCode);
        (_, output, _) = await RunAsync("raw", "scan", "k", "l", "--format", "json");
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Hex_keys_cas_and_ttl()
    {
        Assert.Equal(0, (await RunAsync("raw", "put", "00ff", "0102", "--hex", "--ttl", "60")).ExitCode);
        var (code, output, _) = await RunAsync("raw", "get", "00ff", "--hex", "--format", "json");
        Assert.Equal(0, code);
        Assert.Equal("0102", JsonDocument.Parse(output).RootElement[0].GetProperty("value").GetString());

        (code, output, _) = await RunAsync("raw", "ttl", "00ff", "--hex", "--format", "json");
        Assert.Equal(0, code);
        Assert.InRange(JsonDocument.Parse(output).RootElement.GetProperty("ttl_seconds").GetInt64(), 1, 60);

        (code, output, _) = await RunAsync("raw", "cas", "c", "1", "--expect-absent", "--format", "json");
        Assert.Equal(0, code);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("swapped").GetBoolean());
        (code, output, _) = await RunAsync("raw", "cas", "c", "2", "--expected", "0", "--format", "json");
        Assert.Equal(1, code);
        Assert.Equal("1", JsonDocument.Parse(output).RootElement.GetProperty("previous").GetString());
    }

    [Fact]
    public async Task Bad_input_exits_2_with_a_message()
    {
        var inverted = await RunAsync("raw", "scan", "b", "a");
        Assert.Equal(2, inverted.ExitCode);
        Assert.Contains("inverted", inverted.Error);

        var badHex = await RunAsync("raw", "get", "zz", "--hex");
        Assert.Equal(2, badHex.ExitCode);
        Assert.Contains("hexadecimal", badHex.Error);

        var badFormat = await RunAsync("raw", "get", "a", "--format", "xml");
        Assert.Equal(2, badFormat.ExitCode);
    }

    [Fact]
    public async Task Unreachable_pd_exits_1_naming_the_address()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(["raw", "get", "a", "--pd", "127.0.0.1:1"], output, error);
        Assert.Equal(1, code);
        Assert.Contains("127.0.0.1:1", error.ToString());
    }

    [Fact]
    public async Task Bench_prints_throughput_and_percentiles()
    {
        var (code, output, error) = await RunAsync("bench", "raw", "--op", "mixed", "--concurrency", "4", "--duration", "0.5", "--warmup", "0", "--keys", "50", "--format", "json");
        Assert.True(code == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.True(result.GetProperty("ops").GetInt64() > 0);
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        Assert.True(result.GetProperty("p50_ms").GetDouble() <= result.GetProperty("p99_ms").GetDouble());
        Assert.True(result.GetProperty("p99_ms").GetDouble() <= result.GetProperty("p999_ms").GetDouble());

        var bad = await RunAsync("bench", "raw", "--op", "scan");
        Assert.Equal(2, bad.ExitCode);
    }
}
