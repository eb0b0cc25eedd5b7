using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Raw.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class RawKVClient
{
    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>, optionally expiring after <paramref name="ttl"/> (whole seconds).</summary>
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ValidateKey(key.Span, nameof(key));
        ValidateValue(value.Span, nameof(value));
        var ttlSeconds = TtlSeconds(ttl, nameof(ttl));
        return PutCoreAsync(key, value, ttlSeconds, cancellationToken);
    }

    /// <summary>Writes a UTF-8 value under a UTF-8 key.</summary>
    public ValueTask PutAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        PutAsync(Utf8(key, nameof(key)), Utf8(value, nameof(value)), ttl, cancellationToken);

    /// <summary>
    /// Writes all pairs, grouped by region and cut into requests of at most
    /// <see cref="TiKVClientOptions.RawBatchPairCount"/> pairs / about <see cref="TiKVClientOptions.RawBatchSize"/> bytes,
    /// sent in parallel. Not atomic across regions. When a key repeats, its last value wins.
    /// </summary>
    public async Task BatchPutAsync(IEnumerable<KvPair> pairs, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var ttlSeconds = TtlSeconds(ttl, nameof(ttl));
        var byKey = new Dictionary<byte[], KvPair>(Internal.ByteArrayComparer.Instance);
        foreach (var pair in pairs)
        {
            ArgumentNullException.ThrowIfNull(pair, nameof(pairs));
            ValidateKey(pair.Key, nameof(pairs));
            ValidateValue(pair.Value, nameof(pairs));
            byKey[pair.Key] = pair;
        }

        if (byKey.Count == 0)
        {
            return;
        }

        var sorted = byKey.Values.ToArray();
        Array.Sort(sorted, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawBatchPut");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var cf = ColumnFamily;
        var forCas = AtomicForCas;
        await plan.BatchAsync(
            plan.NewBackoffer("RawBatchPut"),
            new ArraySegment<KvPair>(sorted),
            static p => p.Key,
            static p => p.Key.Length + p.Value.Length,
            batch =>
            {
                var request = new RawBatchPutRequest { Cf = cf, ForCas = forCas };
                foreach (var pair in batch)
                {
                    request.Pairs.Add(new Proto.Kvrpcpb.KvPair { Key = Wrap(pair.Key), Value = Wrap(pair.Value) });
                    if (ttlSeconds > 0)
                    {
                        // One TTL per pair: TiKV requires ttls to be empty or as long as pairs.
                        request.Ttls.Add(ttlSeconds);
                    }
                }

                return RawRequests.BatchPut(request);
            },
            static (_, response) => RawRequests.ThrowIfError(response.Error, "RawBatchPut"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes <paramref name="key"/> (a no-op when it does not exist).</summary>
    public ValueTask DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key.Span, nameof(key));
        return DeleteCoreAsync(key, cancellationToken);
    }

    /// <summary>Deletes the UTF-8 <paramref name="key"/>.</summary>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        DeleteAsync(Utf8(key, nameof(key)), cancellationToken);

    /// <summary>Deletes all <paramref name="keys"/>, grouped and batched by region like <see cref="BatchPutAsync"/>.</summary>
    public async Task BatchDeleteAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        var sorted = PrepareKeys(keys, nameof(keys));
        if (sorted.Length == 0)
        {
            return;
        }

        using var activity = ClientMetrics.ActivitySource.StartActivity("RawBatchDelete");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var cf = ColumnFamily;
        var forCas = AtomicForCas;
        await plan.BatchAsync(
            plan.NewBackoffer("RawBatchDelete"),
            new ArraySegment<byte[]>(sorted),
            static k => k,
            static k => k.Length,
            batch =>
            {
                var request = new RawBatchDeleteRequest { Cf = cf, ForCas = forCas };
                foreach (var key in batch)
                {
                    request.Keys.Add(Wrap(key));
                }

                return RawRequests.BatchDelete(request);
            },
            static (_, response) => RawRequests.ThrowIfError(response.Error, "RawBatchDelete"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the UTF-8 <paramref name="keys"/>.</summary>
    public Task BatchDeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return BatchDeleteAsync(keys.Select(k => Utf8(k, nameof(keys))).ToArray(), cancellationToken);
    }

    /// <summary>
    /// Deletes every key in <c>[startKey, endKey)</c>, region by region; an empty <paramref name="endKey"/> means
    /// "to the end of the key space". Not atomic across regions.
    /// </summary>
    public Task DeleteRangeAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey, CancellationToken cancellationToken = default)
    {
        ValidateRange(startKey.Span, endKey.Span, nameof(startKey));
        return DeleteRangeCoreAsync(startKey.ToArray(), endKey.ToArray(), cancellationToken);
    }

    /// <summary>Deletes every key in the UTF-8 range <c>[startKey, endKey)</c>.</summary>
    public Task DeleteRangeAsync(string startKey, string endKey, CancellationToken cancellationToken = default) =>
        DeleteRangeAsync(Utf8(startKey, nameof(startKey)), Utf8(endKey, nameof(endKey)), cancellationToken);

    private async ValueTask PutCoreAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ulong ttlSeconds, CancellationToken cancellationToken)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawPut");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var request = new RawPutRequest { Key = Wrap(key), Value = Wrap(value), Cf = ColumnFamily, Ttl = ttlSeconds, ForCas = AtomicForCas };
        var response = await plan.SingleKeyAsync(key, RawRequests.Put(request), cancellationToken).ConfigureAwait(false);
        RawRequests.ThrowIfError(response.Error, "RawPut");
    }

    private async ValueTask DeleteCoreAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawDelete");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var request = new RawDeleteRequest { Key = Wrap(key), Cf = ColumnFamily, ForCas = AtomicForCas };
        var response = await plan.SingleKeyAsync(key, RawRequests.Delete(request), cancellationToken).ConfigureAwait(false);
        RawRequests.ThrowIfError(response.Error, "RawDelete");
    }

    private async Task DeleteRangeCoreAsync(byte[] startKey, byte[] endKey, CancellationToken cancellationToken)
    {
        if (endKey.Length > 0 && startKey.AsSpan().SequenceEqual(endKey))
        {
            return;
        }

        using var activity = ClientMetrics.ActivitySource.StartActivity("RawDeleteRange");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var backoffer = plan.NewBackoffer("RawDeleteRange");
        var cursor = startKey;
        while (true)
        {
            var from = cursor;
            var (response, region) = await plan.RegionAsync(
                backoffer,
                b => plan.Core.Regions.LocateKeyAsync(from, b, cancellationToken),
                region => RawRequests.DeleteRange(new RawDeleteRangeRequest
                {
                    StartKey = Wrap(from),
                    EndKey = Wrap(RangeEnd(endKey, region.EndKey)),
                    Cf = ColumnFamily,
                }),
                cancellationToken).ConfigureAwait(false);
            RawRequests.ThrowIfError(response.Error, "RawDeleteRange");
            if (region.EndKey.Length == 0 || (endKey.Length > 0 && endKey.AsSpan().SequenceCompareTo(region.EndKey) <= 0))
            {
                return;
            }

            cursor = region.EndKey;
        }
    }

    /// <summary>The smaller of the caller's end key and the region's end key (empty = +inf).</summary>
    private static byte[] RangeEnd(byte[] endKey, byte[] regionEnd)
    {
        if (regionEnd.Length == 0)
        {
            return endKey;
        }

        return endKey.Length == 0 || regionEnd.AsSpan().SequenceCompareTo(endKey) < 0 ? regionEnd : endKey;
    }
}
