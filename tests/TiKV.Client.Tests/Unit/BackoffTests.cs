using TiKV.Client.Retry.Internal;

namespace TiKV.Client.Tests.Unit;

public class BackoffTests
{
    [Fact]
    public void RegionMiss_doubles_from_2ms_and_caps_at_500ms_without_jitter()
    {
        var policy = BackoffPolicy.For(BackoffKind.RegionMiss);
        var random = new Random(1);
        var sleeps = Enumerable.Range(0, 10).Select(a => policy.SleepMs(a, random)).ToArray();
        Assert.Equal(new[] { 2, 4, 8, 16, 32, 64, 128, 256, 500, 500 }, sleeps);
    }

    [Theory]
    [InlineData((int)BackoffKind.TiKVRpc, 100, 2000)]
    [InlineData((int)BackoffKind.PdRpc, 500, 3000)]
    [InlineData((int)BackoffKind.TxnLock, 100, 3000)]
    [InlineData((int)BackoffKind.ServerBusy, 2000, 10000)]
    public void Equal_jitter_stays_between_half_and_full_exponential_value(int kind, int baseMs, int capMs)
    {
        var policy = BackoffPolicy.For((BackoffKind)kind);
        Assert.Equal(baseMs, policy.BaseMs);
        Assert.Equal(capMs, policy.CapMs);
        var random = new Random(42);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var v = (int)Math.Min(capMs, baseMs * Math.Pow(2, attempt));
            for (var i = 0; i < 50; i++)
            {
                var sleep = policy.SleepMs(attempt, random);
                Assert.InRange(sleep, v / 2, v - 1);
            }
        }
    }

    [Fact]
    public void Each_kind_counts_its_own_attempts()
    {
        var backoffer = new Backoffer("RawGet", TimeSpan.FromSeconds(20), TimeProvider.System, new Random(1));
        var cause = new TiKVException("x");
        Assert.Equal(TimeSpan.FromMilliseconds(2), backoffer.Reserve(BackoffKind.RegionMiss, cause));
        Assert.Equal(TimeSpan.FromMilliseconds(4), backoffer.Reserve(BackoffKind.RegionMiss, cause));
        backoffer.Reserve(BackoffKind.TiKVRpc, cause);
        Assert.Equal(TimeSpan.FromMilliseconds(8), backoffer.Reserve(BackoffKind.RegionMiss, cause));
        Assert.Equal(3, backoffer.Attempts(BackoffKind.RegionMiss));
        Assert.Equal(1, backoffer.Attempts(BackoffKind.TiKVRpc));
    }

    [Fact]
    public void Budget_clips_the_last_sleep_then_fails_naming_operation_region_store_and_cause()
    {
        var backoffer = new Backoffer("RawPut", TimeSpan.FromMilliseconds(3000), TimeProvider.System, new Random(7));
        var busy = new TiKVException("store is busy: ServerIsBusy");
        var first = backoffer.Reserve(BackoffKind.ServerBusy, busy, 42, "10.0.0.1:20160");
        Assert.InRange(first.TotalMilliseconds, 1000, 1999);
        var second = backoffer.Reserve(BackoffKind.ServerBusy, busy, 42, "10.0.0.1:20160");
        Assert.Equal(3000 - first.TotalMilliseconds, second.TotalMilliseconds);
        Assert.Equal(3000, backoffer.TotalSleptMs);

        var ex = Assert.Throws<BackoffExhaustedException>(() => backoffer.Reserve(BackoffKind.ServerBusy, busy, 42, "10.0.0.1:20160"));
        Assert.Equal("RawPut", ex.Operation);
        Assert.Equal(42UL, ex.RegionId);
        Assert.Equal("10.0.0.1:20160", ex.Store);
        Assert.Same(busy, ex.InnerException);
        Assert.Contains("RawPut", ex.Message);
        Assert.Contains("region 42", ex.Message);
        Assert.Contains("10.0.0.1:20160", ex.Message);
        Assert.Contains("ServerIsBusy", ex.Message);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task BackoffAsync_honours_cancellation()
    {
        var backoffer = new Backoffer("RawGet", TimeSpan.FromSeconds(60), TimeProvider.System);
        using var cts = new CancellationTokenSource();
        var sleep = backoffer.BackoffAsync(BackoffKind.ServerBusy, new TiKVException("busy"), 1, "s", cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sleep);
    }

    [Fact]
    public async Task Zero_budget_fails_on_first_backoff()
    {
        var backoffer = new Backoffer("RawGet", TimeSpan.Zero, TimeProvider.System);
        await Assert.ThrowsAsync<BackoffExhaustedException>(() =>
            backoffer.BackoffAsync(BackoffKind.RegionMiss, new TiKVException("miss"), null, null, CancellationToken.None).AsTask());
    }
}
