using Google.Protobuf;
using TiKV.DevCluster.Tests.Infrastructure;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Tests.Store;

public sealed class RawApiTests : IAsyncLifetime
{
    private readonly OffsetTimeProvider _time = new();
    private TestCluster _t = null!;
    private Context _context = null!;
    private ulong _store;

    public async Task InitializeAsync()
    {
        _t = await TestCluster.StartAsync(new DevClusterOptions { TimeProvider = _time });
        (_context, _store, _) = await _t.LeaderContextAsync([]);
    }

    public async Task DisposeAsync() => await _t.DisposeAsync();

    private Task<TResponse> Call<TRequest, TResponse>(string method, TRequest request)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() => _t.Call<TRequest, TResponse>(_store, method, request);

    private async Task PutAsync(string key, string value, ulong ttl = 0, string cf = "")
    {
        var response = await Call<RawPutRequest, RawPutResponse>("RawPut", new RawPutRequest { Context = _context, Key = Rpc.B(key), Value = Rpc.B(value), Ttl = ttl, Cf = cf });
        Assert.Null(response.RegionError);
        Assert.Equal("", response.Error);
    }

    private async Task<RawGetResponse> GetAsync(string key, string cf = "") =>
        await Call<RawGetRequest, RawGetResponse>("RawGet", new RawGetRequest { Context = _context, Key = Rpc.B(key), Cf = cf });

    private async Task<List<string>> ScanKeysAsync(RawScanRequest request)
    {
        request.Context = _context;
        var response = await Call<RawScanRequest, RawScanResponse>("RawScan", request);
        Assert.Null(response.RegionError);
        Assert.All(response.Kvs, kv => Assert.Null(kv.Error));
        return [.. response.Kvs.Select(kv => kv.Key.ToStringUtf8())];
    }

    [Fact]
    public async Task Put_get_delete_round_trip()
    {
        await PutAsync("k1", "v1");
        var get = await GetAsync("k1");
        Assert.Equal("v1", get.Value.ToStringUtf8());
        Assert.False(get.NotFound);

        var delete = await Call<RawDeleteRequest, RawDeleteResponse>("RawDelete", new RawDeleteRequest { Context = _context, Key = Rpc.B("k1") });
        Assert.Equal("", delete.Error);
        Assert.True((await GetAsync("k1")).NotFound);

        await PutAsync("empty-value", "");
        var empty = await GetAsync("empty-value");
        Assert.False(empty.NotFound);
        Assert.True(empty.Value.IsEmpty);
    }

    [Fact]
    public async Task Column_families_are_separate_and_unknown_ones_are_errors()
    {
        await PutAsync("cfkey", "in-default");
        await PutAsync("cfkey", "in-write", cf: "write");
        Assert.Equal("in-default", (await GetAsync("cfkey", "default")).Value.ToStringUtf8());
        Assert.Equal("in-write", (await GetAsync("cfkey", "write")).Value.ToStringUtf8());
        Assert.True((await GetAsync("cfkey", "lock")).NotFound);

        var bad = await GetAsync("cfkey", "raft");
        Assert.Equal("invalid cf name: raft", bad.Error);
        var badPut = await Call<RawPutRequest, RawPutResponse>("RawPut", new RawPutRequest { Context = _context, Key = Rpc.B("x"), Value = Rpc.B("y"), Cf = "nope" });
        Assert.Equal("invalid cf name: nope", badPut.Error);
        var badScan = await Call<RawScanRequest, RawScanResponse>("RawScan", new RawScanRequest { Context = _context, Limit = 1, Cf = "nope" });
        Assert.Contains("InvalidCf", Assert.Single(badScan.Kvs).Error.Abort, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_put_get_delete()
    {
        var put = await Call<RawBatchPutRequest, RawBatchPutResponse>("RawBatchPut", new RawBatchPutRequest
        {
            Context = _context,
            Pairs = { new KvPair { Key = Rpc.B("b1"), Value = Rpc.B("1") }, new KvPair { Key = Rpc.B("b2"), Value = Rpc.B("2") }, new KvPair { Key = Rpc.B("b3"), Value = Rpc.B("3") } },
        });
        Assert.Equal("", put.Error);

        var get = await Call<RawBatchGetRequest, RawBatchGetResponse>("RawBatchGet", new RawBatchGetRequest
        {
            Context = _context,
            Keys = { Rpc.B("b3"), Rpc.B("missing"), Rpc.B("b1") },
        });
        Assert.Equal(["b3", "b1"], get.Pairs.Select(p => p.Key.ToStringUtf8()));
        Assert.Equal(["3", "1"], get.Pairs.Select(p => p.Value.ToStringUtf8()));

        var delete = await Call<RawBatchDeleteRequest, RawBatchDeleteResponse>("RawBatchDelete", new RawBatchDeleteRequest { Context = _context, Keys = { Rpc.B("b1"), Rpc.B("b3") } });
        Assert.Equal("", delete.Error);
        var after = await Call<RawBatchGetRequest, RawBatchGetResponse>("RawBatchGet", new RawBatchGetRequest { Context = _context, Keys = { Rpc.B("b1"), Rpc.B("b2"), Rpc.B("b3") } });
        Assert.Equal("b2", Assert.Single(after.Pairs).Key.ToStringUtf8());
    }

    [Fact]
    public async Task Empty_batches_and_mismatched_ttls_get_tikvs_errors()
    {
        var emptyPut = await Call<RawBatchPutRequest, RawBatchPutResponse>("RawBatchPut", new RawBatchPutRequest { Context = _context });
        Assert.Equal("an empty request", emptyPut.Error);
        var emptyDelete = await Call<RawBatchDeleteRequest, RawBatchDeleteResponse>("RawBatchDelete", new RawBatchDeleteRequest { Context = _context });
        Assert.Equal("an empty request", emptyDelete.Error);
        var ttls = await Call<RawBatchPutRequest, RawBatchPutResponse>("RawBatchPut", new RawBatchPutRequest
        {
            Context = _context,
            Pairs = { new KvPair { Key = Rpc.B("a"), Value = Rpc.B("1") }, new KvPair { Key = Rpc.B("b"), Value = Rpc.B("2") }, new KvPair { Key = Rpc.B("c"), Value = Rpc.B("3") } },
            Ttls = { 1, 2 },
        });
        Assert.Equal("The length of ttls does not equal to the length of pairs", ttls.Error);
    }

    [Fact]
    public async Task Empty_key_is_accepted_like_tikv_api_v1_and_huge_keys_are_refused()
    {
        await PutAsync("", "empty-key-value");
        Assert.Equal("empty-key-value", (await GetAsync("")).Value.ToStringUtf8());

        var huge = await Call<RawPutRequest, RawPutResponse>("RawPut", new RawPutRequest { Context = _context, Key = ByteString.CopyFrom(new byte[8193]), Value = Rpc.B("v") });
        Assert.Equal("max key size exceeded, size: 8193, limit: 8192", huge.Error);
    }

    [Fact]
    public async Task Api_version_other_than_v1_is_refused()
    {
        var context = _context.Clone();
        context.ApiVersion = APIVersion.V2;
        var response = await Call<RawGetRequest, RawGetResponse>("RawGet", new RawGetRequest { Context = context, Key = Rpc.B("a") });
        Assert.Equal("Api version in request does not match with TiKV storage, cmd: raw_get, storage: V1ttl, request: V2", response.Error);
    }

    [Fact]
    public async Task Scan_forward_reverse_limits_key_only_and_end_key()
    {
        foreach (var key in new[] { "s1", "s2", "s3", "s4", "s5" })
        {
            await PutAsync(key, "value-" + key);
        }

        Assert.Equal(["s1", "s2", "s3"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s"), Limit = 3 }));
        Assert.Equal(["s2", "s3"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s2"), EndKey = Rpc.B("s4"), Limit = 10 }));
        Assert.Empty(await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s"), Limit = 0 }));
        Assert.Equal(["s1", "s2", "s3", "s4", "s5"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s"), EndKey = Rpc.B("t"), Limit = uint.MaxValue }));

        // Reverse: start is the exclusive upper bound, end the inclusive lower bound.
        Assert.Equal(["s3", "s2", "s1"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s4"), Limit = 10, Reverse = true, EndKey = Rpc.B("s") }));
        Assert.Equal(["s5", "s4"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("t"), Limit = 2, Reverse = true }));
        Assert.Equal(["s3", "s2"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s4"), EndKey = Rpc.B("s2"), Limit = 10, Reverse = true }));

        // Inverted range: nothing, no error.
        Assert.Empty(await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("s4"), EndKey = Rpc.B("s2"), Limit = 10 }));

        var keyOnly = await Call<RawScanRequest, RawScanResponse>("RawScan", new RawScanRequest { Context = _context, StartKey = Rpc.B("s"), Limit = 2, KeyOnly = true });
        Assert.All(keyOnly.Kvs, kv => Assert.True(kv.Value.IsEmpty));
        var withValues = await Call<RawScanRequest, RawScanResponse>("RawScan", new RawScanRequest { Context = _context, StartKey = Rpc.B("s"), Limit = 1 });
        Assert.Equal("value-s1", withValues.Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public async Task Batch_scan_with_each_limit_and_invalid_ranges()
    {
        foreach (var key in new[] { "a1", "a2", "a3", "b1", "b2" })
        {
            await PutAsync(key, "v");
        }

        var response = await Call<RawBatchScanRequest, RawBatchScanResponse>("RawBatchScan", new RawBatchScanRequest
        {
            Context = _context,
            Ranges = { new KeyRange { StartKey = Rpc.B("a"), EndKey = Rpc.B("b") }, new KeyRange { StartKey = Rpc.B("b"), EndKey = Rpc.B("c") } },
            EachLimit = 2,
        });
        Assert.Equal(["a1", "a2", "b1", "b2"], response.Kvs.Select(kv => kv.Key.ToStringUtf8()));

        var chained = await Call<RawBatchScanRequest, RawBatchScanResponse>("RawBatchScan", new RawBatchScanRequest
        {
            Context = _context,
            Ranges = { new KeyRange { StartKey = Rpc.B("a2") }, new KeyRange { StartKey = Rpc.B("b2") } },
            EachLimit = 10,
        });
        Assert.Equal(["a2", "a3", "b1", "b2"], chained.Kvs.Select(kv => kv.Key.ToStringUtf8()));

        var invalid = await Call<RawBatchScanRequest, RawBatchScanResponse>("RawBatchScan", new RawBatchScanRequest
        {
            Context = _context,
            Ranges = { new KeyRange { StartKey = Rpc.B("b"), EndKey = Rpc.B("a") } },
            EachLimit = 10,
        });
        Assert.Contains("Invalid KeyRanges", Assert.Single(invalid.Kvs).Error.Abort, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_range_removes_the_range_and_rejects_inverted_ranges()
    {
        foreach (var key in new[] { "d1", "d2", "d3", "e1" })
        {
            await PutAsync(key, "v");
        }

        var response = await Call<RawDeleteRangeRequest, RawDeleteRangeResponse>("RawDeleteRange", new RawDeleteRangeRequest { Context = _context, StartKey = Rpc.B("d"), EndKey = Rpc.B("e") });
        Assert.Null(response.RegionError);
        Assert.Equal(["e1"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("d"), Limit = 10 }));

        var inverted = await Call<RawDeleteRangeRequest, RawDeleteRangeResponse>("RawDeleteRange", new RawDeleteRangeRequest { Context = _context, StartKey = Rpc.B("z"), EndKey = Rpc.B("a") });
        Assert.Contains("invalid delete range command", inverted.RegionError.Message, StringComparison.Ordinal);
        Assert.Equal(["e1"], await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("d"), Limit = 10 }));
    }

    [Fact]
    public async Task Ttl_values_expire_and_report_remaining_seconds()
    {
        await PutAsync("ttl-key", "v", ttl: 100);
        await PutAsync("plain-key", "v");

        var ttl = await Call<RawGetKeyTTLRequest, RawGetKeyTTLResponse>("RawGetKeyTTL", new RawGetKeyTTLRequest { Context = _context, Key = Rpc.B("ttl-key") });
        Assert.InRange(ttl.Ttl, 99UL, 100UL);
        var none = await Call<RawGetKeyTTLRequest, RawGetKeyTTLResponse>("RawGetKeyTTL", new RawGetKeyTTLRequest { Context = _context, Key = Rpc.B("plain-key") });
        Assert.Equal(0UL, none.Ttl);
        Assert.False(none.NotFound);
        var missing = await Call<RawGetKeyTTLRequest, RawGetKeyTTLResponse>("RawGetKeyTTL", new RawGetKeyTTLRequest { Context = _context, Key = Rpc.B("nope") });
        Assert.True(missing.NotFound);

        _time.Advance(TimeSpan.FromSeconds(101));
        Assert.True((await GetAsync("ttl-key")).NotFound);
        Assert.False((await GetAsync("plain-key")).NotFound);
        var expired = await Call<RawGetKeyTTLRequest, RawGetKeyTTLResponse>("RawGetKeyTTL", new RawGetKeyTTLRequest { Context = _context, Key = Rpc.B("ttl-key") });
        Assert.True(expired.NotFound);
        Assert.DoesNotContain("ttl-key", await ScanKeysAsync(new RawScanRequest { StartKey = Rpc.B("p"), EndKey = Rpc.B("u"), Limit = 10 }));

        // Batch put with one TTL applies it to every pair (compatibility with old clients).
        var batch = await Call<RawBatchPutRequest, RawBatchPutResponse>("RawBatchPut", new RawBatchPutRequest
        {
            Context = _context,
            Pairs = { new KvPair { Key = Rpc.B("bt1"), Value = Rpc.B("1") }, new KvPair { Key = Rpc.B("bt2"), Value = Rpc.B("2") } },
            Ttls = { 5 },
        });
        Assert.Equal("", batch.Error);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await GetAsync("bt1")).NotFound);
        Assert.True((await GetAsync("bt2")).NotFound);
    }

    [Fact]
    public async Task Compare_and_swap_follows_tikv_semantics()
    {
        var create = await Call<RawCASRequest, RawCASResponse>("RawCompareAndSwap", new RawCASRequest { Context = _context, Key = Rpc.B("cas"), Value = Rpc.B("1"), PreviousNotExist = true });
        Assert.True(create.Succeed);
        Assert.True(create.PreviousNotExist);

        var again = await Call<RawCASRequest, RawCASResponse>("RawCompareAndSwap", new RawCASRequest { Context = _context, Key = Rpc.B("cas"), Value = Rpc.B("2"), PreviousNotExist = true });
        Assert.False(again.Succeed);
        Assert.False(again.PreviousNotExist);
        Assert.Equal("1", again.PreviousValue.ToStringUtf8());

        var swap = await Call<RawCASRequest, RawCASResponse>("RawCompareAndSwap", new RawCASRequest { Context = _context, Key = Rpc.B("cas"), Value = Rpc.B("2"), PreviousValue = Rpc.B("1") });
        Assert.True(swap.Succeed);
        Assert.Equal("2", (await GetAsync("cas")).Value.ToStringUtf8());

        var wrong = await Call<RawCASRequest, RawCASResponse>("RawCompareAndSwap", new RawCASRequest { Context = _context, Key = Rpc.B("cas"), Value = Rpc.B("3"), PreviousValue = Rpc.B("1") });
        Assert.False(wrong.Succeed);
        Assert.Equal("2", wrong.PreviousValue.ToStringUtf8());

        var delete = await Call<RawCASRequest, RawCASResponse>("RawCompareAndSwap", new RawCASRequest { Context = _context, Key = Rpc.B("cas"), PreviousValue = Rpc.B("2"), Delete = true });
        Assert.True(delete.Succeed);
        Assert.True((await GetAsync("cas")).NotFound);
    }

    [Fact]
    public async Task Concurrent_compare_and_swap_increments_never_lose_an_update()
    {
        await PutAsync("counter", "0");
        async Task IncrementAsync()
        {
            while (true)
            {
                var current = (await GetAsync("counter")).Value.ToStringUtf8();
                var next = (int.Parse(current) + 1).ToString();
                var cas = await Call<RawCASRequest, RawCASResponse>("RawCompareAndSwap", new RawCASRequest
                {
                    Context = _context,
                    Key = Rpc.B("counter"),
                    PreviousValue = Rpc.B(current),
                    Value = Rpc.B(next),
                });
                if (cas.Succeed)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => IncrementAsync()));
        Assert.Equal("40", (await GetAsync("counter")).Value.ToStringUtf8());
    }

    [Fact]
    public async Task Checksum_counts_keys_and_bytes_in_the_ranges()
    {
        await PutAsync("c1", "aa");
        await PutAsync("c2", "bbb");
        await PutAsync("d1", "c");
        var response = await Call<RawChecksumRequest, RawChecksumResponse>("RawChecksum", new RawChecksumRequest
        {
            Context = _context,
            Ranges = { new KeyRange { StartKey = Rpc.B("c"), EndKey = Rpc.B("d") } },
        });
        Assert.Equal(2UL, response.TotalKvs);
        Assert.Equal(9UL, response.TotalBytes);
        Assert.NotEqual(0UL, response.Checksum);

        var same = await Call<RawChecksumRequest, RawChecksumResponse>("RawChecksum", new RawChecksumRequest
        {
            Context = _context,
            Ranges = { new KeyRange { StartKey = Rpc.B("c"), EndKey = Rpc.B("d") } },
        });
        Assert.Equal(response.Checksum, same.Checksum);
    }
}
