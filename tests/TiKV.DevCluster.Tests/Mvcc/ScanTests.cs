using TiKV.Proto.Kvrpcpb;
using static TiKV.DevCluster.Tests.Mvcc.MvccHarness;

namespace TiKV.DevCluster.Tests.Mvcc;

public sealed class ScanTests : IAsyncLifetime
{
    private readonly MvccHarness _h = new();

    public async Task InitializeAsync()
    {
        await _h.MustPutAsync(10, 11, ("a", "a1"), ("b", "b1"), ("c", "c1"), ("d", "d1"), ("e", "e1"));
        await _h.MustPutAsync(20, 21, ("b", "b2"));
        await _h.MustPrewriteAsync(22, "c", Delete("c"));
        await _h.MustCommitAsync(22, 23, "c");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<ScanResponse> ScanAsync(string start, string end, ulong version, uint limit = 100, bool reverse = false, bool keyOnly = false, uint sampleStep = 0)
        => await _h.Engine.ScanAsync(new ScanRequest
        {
            StartKey = K(start),
            EndKey = K(end),
            Version = version,
            Limit = limit,
            Reverse = reverse,
            KeyOnly = keyOnly,
            SampleStep = sampleStep,
        });

    private static List<string> Pairs(ScanResponse response) => response.Pairs.Select(p => $"{Str(p.Key)}={Str(p.Value)}").ToList();

    [Fact]
    public async Task Forward_scan_returns_the_snapshot()
    {
        Assert.Equal(["a=a1", "b=b1", "c=c1", "d=d1", "e=e1"], Pairs(await ScanAsync("", "", 15)));
        Assert.Equal(["a=a1", "b=b2", "d=d1", "e=e1"], Pairs(await ScanAsync("", "", 30)));
        Assert.Equal(["b=b2", "d=d1"], Pairs(await ScanAsync("b", "e", 30)));
        Assert.Equal(["a=a1", "b=b2"], Pairs(await ScanAsync("", "", 30, limit: 2)));
        Assert.Empty(Pairs(await ScanAsync("", "", 10)));
        Assert.Empty(Pairs(await ScanAsync("", "", 30, limit: 0)));
    }

    [Fact]
    public async Task Reverse_scan_covers_end_key_to_start_key_descending()
    {
        Assert.Equal(["e=e1", "d=d1", "b=b2", "a=a1"], Pairs(await ScanAsync("", "", 30, reverse: true)));
        Assert.Equal(["d=d1", "b=b2"], Pairs(await ScanAsync("e", "b", 30, reverse: true)));
        Assert.Equal(["e=e1", "d=d1"], Pairs(await ScanAsync("", "", 30, limit: 2, reverse: true)));
        Assert.Equal(["d=d1", "c=c1", "b=b1"], Pairs(await ScanAsync("e", "b", 15, reverse: true)));
    }

    [Fact]
    public async Task Key_only_and_sample_step()
    {
        Assert.Equal(["a=", "b=", "d=", "e="], Pairs(await ScanAsync("", "", 30, keyOnly: true)));
        Assert.Equal(["a=a1", "d=d1"], Pairs(await ScanAsync("", "", 30, sampleStep: 2)));
    }

    [Fact]
    public async Task Locked_keys_come_back_as_errors_counted_by_the_limit()
    {
        await _h.MustPrewriteAsync(40, "b", Put("b", "b3"), Put("bb", "new"));
        var response = await ScanAsync("", "", 50, limit: 3);
        Assert.Equal(3, response.Pairs.Count);
        Assert.Equal("a", Str(response.Pairs[0].Key));
        Assert.Equal("b", Str(response.Pairs[1].Error.Locked.Key));
        Assert.Equal("bb", Str(response.Pairs[2].Error.Locked.Key));

        // A snapshot older than the locks does not see them.
        Assert.Equal(["a=a1", "b=b2", "d=d1", "e=e1"], Pairs(await ScanAsync("", "", 30)));
    }

    [Fact]
    public async Task Region_bounds_clamp_the_scan()
    {
        var request = new ScanRequest { Version = 30, Limit = 100 };
        var response = await _h.Engine.ScanAsync(request, K("b").Memory, K("e").Memory);
        Assert.Equal(["b=b2", "d=d1"], Pairs(response));

        request.Reverse = true;
        response = await _h.Engine.ScanAsync(request, K("b").Memory, K("e").Memory);
        Assert.Equal(["d=d1", "b=b2"], Pairs(response));
    }

    [Fact]
    public async Task Long_scans_with_many_versions_stay_correct()
    {
        for (var i = 0; i < 300; i++)
        {
            await _h.MustPutAsync(100 + (ulong)(i * 2), 101 + (ulong)(i * 2), ($"m{i % 30:D2}", $"v{i}"));
        }

        var response = await ScanAsync("m", "n", 10_000);
        Assert.Equal(30, response.Pairs.Count);
        Assert.Equal("v299", Str(response.Pairs[29].Value));
        var reversed = await ScanAsync("n", "m", 10_000, reverse: true);
        Assert.Equal(response.Pairs.Select(p => Str(p.Key)).Reverse(), reversed.Pairs.Select(p => Str(p.Key)));
    }

    [Fact]
    public async Task Rc_check_ts_scan_reports_locks_as_write_conflicts_and_fails_on_newer_versions()
    {
        await _h.MustPrewriteAsync(40, "d", Put("d", "d2"));
        var locked = await _h.Engine.ScanAsync(new ScanRequest
        {
            StartKey = K("d"),
            EndKey = K("e"),
            Version = 30,
            Limit = 10,
            Context = new Context { IsolationLevel = IsolationLevel.RccheckTs },
        });
        Assert.Null(locked.Error);
        var conflict = Assert.Single(locked.Pairs).Error.Conflict;
        Assert.Equal(WriteConflict.Types.Reason.RcCheckTs, conflict.Reason);
        Assert.Equal(40UL, conflict.ConflictTs);

        var newer = await _h.Engine.ScanAsync(new ScanRequest
        {
            StartKey = K("a"),
            EndKey = K("c"),
            Version = 15,
            Limit = 10,
            Context = new Context { IsolationLevel = IsolationLevel.RccheckTs },
        });
        Assert.Empty(newer.Pairs);
        Assert.Equal(21UL, newer.Error.Conflict.ConflictCommitTs);
        Assert.Equal("b", Str(newer.Error.Conflict.Key));
    }
}
