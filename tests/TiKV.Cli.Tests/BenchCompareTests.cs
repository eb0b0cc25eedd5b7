using System.Text.Json;
using TiKV.Cli;
using TiKV.DevCluster;
using Xunit;

namespace TiKV.Cli.Tests;

/// <summary><c>tikvnet bench raw --compare-no-batch --ceiling</c> against an in-process DevCluster, and its input checks.</summary>
public sealed class BenchCompareTests : IAsyncLifetime
{
    private DevCluster.DevCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions { StoreCount = 1 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        CliRun.RunAsync([.. args, "--pd", _cluster.PdAddress]);

    [Fact]
    public async Task Json_output_carries_batched_no_batch_and_ceiling_results()
    {
        var (code, output, error) = await RunAsync(
            "bench", "raw", "--concurrency", "2", "--duration", "1", "--warmup", "0", "--keys", "20", "--connections", "1",
            "--compare-no-batch", "--ceiling", "--format", "json");
        Assert.True(code == 0, $"exit {code}: {error}");

        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal("get", result.GetProperty("op").GetString());
        Assert.True(result.GetProperty("batch_commands").GetBoolean());
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        Assert.True(result.GetProperty("ops").GetInt64() > 0);
        Assert.True(result.GetProperty("ops_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("client_alloc_bytes_per_op").GetDouble() > 0);

        Assert.True(result.GetProperty("no_batch_ops_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("no_batch_client_alloc_bytes_per_op").GetDouble() > 0);
        Assert.True(result.GetProperty("no_batch_p99_ms").GetDouble() >= 0);
        Assert.True(result.GetProperty("speedup_vs_no_batch").GetDouble() > 0);

        Assert.True(result.GetProperty("ceiling_ops_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("fraction_of_ceiling").GetDouble() > 0);
    }

    [Theory]
    [InlineData("--concurrency must be between 1 and 100000 (got 0)", "--concurrency", "0")]
    [InlineData("--duration must be positive (got 0)", "--duration", "0")]
    [InlineData("--ceiling measures gets only (got --op put)", "--ceiling", "--op", "put")]
    [InlineData("--compare-no-batch compares against batching on; drop --no-batch.", "--compare-no-batch", "--no-batch")]
    public async Task Bad_values_exit_2_naming_the_problem(string message, params string[] options)
    {
        var (code, output, error) = await RunAsync(["bench", "raw", .. options, "--format", "json"]);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }
}
