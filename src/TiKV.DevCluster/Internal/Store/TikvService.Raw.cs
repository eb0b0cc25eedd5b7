using Google.Protobuf;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Internal.Raw;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The raw API, following TiKV's <c>Storage::raw_*</c>: API-version check, key-size and TTL checks, column family
/// (<c>rawkv_cf</c>), context, then the keys against the region. Point reads outside the region fail with an
/// error string (TiKV's snapshot get reports an engine error); writes and scans fail with KeyNotInRegion.
/// </summary>
internal sealed partial class TikvService
{
    private ValueTask<RawGetResponse> RawGetAsync(RawGetRequest request, CancellationToken cancellationToken)
    {
        var response = new RawGetResponse();
        if (CheckApiVersion(request.Context, "raw_get", raw: true) is { } apiError)
        {
            response.Error = apiError;
        }
        else if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            response.RegionError = regionError;
        }
        else if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
        }
        else if (!region.Contains(request.Key.Span))
        {
            response.Error = RegionErrors.KeyOutOfRangeMessage(request.Key.Span, region);
        }
        else if (_cluster.Raw.Get(cf, request.Key.Span) is { } value)
        {
            response.Value = UnsafeByteOperations.UnsafeWrap(value);
        }
        else
        {
            response.NotFound = true;
        }

        return ValueTask.FromResult(response);
    }

    private ValueTask<RawBatchGetResponse> RawBatchGetAsync(RawBatchGetRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchGetResponse();
        if (CheckApiVersionDebug(request.Context, "raw_batch_get", raw: true) is { } apiError)
        {
            response.Pairs.Add(AbortPair(apiError));
        }
        else if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            response.RegionError = regionError;
        }
        else if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Pairs.Add(AbortPair($"Error(InvalidCf(\"{request.Cf}\"))"));
        }
        else
        {
            // TiKV answers the keys that exist, in request order; a key outside the region gets a per-key error.
            foreach (var key in request.Keys)
            {
                if (!region.Contains(key.Span))
                {
                    response.Pairs.Add(AbortPair(RegionErrors.KeyOutOfRangeMessage(key.Span, region)));
                }
                else if (_cluster.Raw.Get(cf, key.Span) is { } value)
                {
                    response.Pairs.Add(new KvPair { Key = key, Value = UnsafeByteOperations.UnsafeWrap(value) });
                }
            }
        }

        return ValueTask.FromResult(response);
    }

    private async ValueTask<RawPutResponse> RawPutAsync(RawPutRequest request, CancellationToken cancellationToken)
    {
        var response = new RawPutResponse();
        if ((CheckApiVersion(request.Context, request.ForCas ? "raw_atomic_store" : "raw_put", raw: true)
            ?? CheckKeySize([request.Key.Memory])) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
            return response;
        }

        var key = request.Key.ToByteArray();
        if (RejectWrite(request.Context, [key], key.Length + request.Value.Length, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        var entries = new[] { (key, request.Value.ToByteArray(), request.Ttl) };
        await WriteRawAsync(request.ForCas, () => _cluster.Raw.PutAsync(cf, entries, cancellationToken), cancellationToken).ConfigureAwait(false);
        _cluster.SplitChecker.OnWrite(region.Id, 1, key.Length + request.Value.Length);
        return response;
    }

    private async ValueTask<RawBatchPutResponse> RawBatchPutAsync(RawBatchPutRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchPutResponse();
        if (CheckApiVersion(request.Context, request.ForCas ? "raw_atomic_store" : "raw_batch_put", raw: true) is { } apiError)
        {
            response.Error = apiError;
            return response;
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
            return response;
        }

        if (CheckKeySize(request.Pairs.Select(p => p.Key.Memory)) is { } sizeError)
        {
            response.Error = sizeError;
            return response;
        }

        // One TTL applies to every pair (compatibility with old clients); otherwise one TTL per pair.
        var ttls = request.Ttls.Count switch
        {
            0 => Enumerable.Repeat(0UL, request.Pairs.Count).ToList(),
            1 => Enumerable.Repeat(request.Ttls[0], request.Pairs.Count).ToList(),
            _ => [.. request.Ttls],
        };
        if (ttls.Count != request.Pairs.Count)
        {
            response.Error = "The length of ttls does not equal to the length of pairs";
            return response;
        }

        if (request.Pairs.Count == 0)
        {
            response.Error = "an empty request";
            return response;
        }

        var entries = request.Pairs.Select((p, i) => (p.Key.ToByteArray(), p.Value.ToByteArray(), ttls[i])).ToList();
        var size = entries.Sum(e => (long)e.Item1.Length + e.Item2.Length);
        if (RejectWrite(request.Context, entries.Select(e => e.Item1), size, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        await WriteRawAsync(request.ForCas, () => _cluster.Raw.PutAsync(cf, entries, cancellationToken), cancellationToken).ConfigureAwait(false);
        _cluster.SplitChecker.OnWrite(region.Id, entries.Count, size);
        return response;
    }

    private async ValueTask<RawDeleteResponse> RawDeleteAsync(RawDeleteRequest request, CancellationToken cancellationToken)
    {
        var response = new RawDeleteResponse();
        if ((CheckApiVersion(request.Context, request.ForCas ? "raw_atomic_store" : "raw_delete", raw: true)
            ?? CheckKeySize([request.Key.Memory])) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
            return response;
        }

        var key = request.Key.ToByteArray();
        if (RejectWrite(request.Context, [key], key.Length, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        await WriteRawAsync(request.ForCas, () => _cluster.Raw.DeleteAsync(cf, [key], cancellationToken), cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async ValueTask<RawBatchDeleteResponse> RawBatchDeleteAsync(RawBatchDeleteRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchDeleteResponse();
        if (CheckApiVersion(request.Context, request.ForCas ? "raw_atomic_store" : "raw_batch_delete", raw: true) is { } apiError)
        {
            response.Error = apiError;
            return response;
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
            return response;
        }

        if (CheckKeySize(request.Keys.Select(k => k.Memory)) is { } sizeError)
        {
            response.Error = sizeError;
            return response;
        }

        if (request.Keys.Count == 0)
        {
            response.Error = "an empty request";
            return response;
        }

        var keys = request.Keys.Select(k => k.ToByteArray()).ToList();
        if (RejectWrite(request.Context, keys, keys.Sum(k => (long)k.Length), out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        await WriteRawAsync(request.ForCas, () => _cluster.Raw.DeleteAsync(cf, keys, cancellationToken), cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async ValueTask<RawDeleteRangeResponse> RawDeleteRangeAsync(RawDeleteRangeRequest request, CancellationToken cancellationToken)
    {
        var response = new RawDeleteRangeResponse();
        if ((CheckKeySize([request.StartKey.Memory, request.EndKey.Memory])
            ?? CheckApiVersion(request.Context, "raw_delete_range", raw: true)) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
            return response;
        }

        if (RejectContext(request.Context, readOnly: false, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        var start = request.StartKey.ToByteArray();
        var end = request.EndKey.ToByteArray();
        if (CheckDeleteRange(region, start, end) is { } rangeError)
        {
            response.RegionError = rangeError;
            return response;
        }

        await _cluster.Raw.DeleteRangeAsync(cf, start, end, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private ValueTask<RawScanResponse> RawScanAsync(RawScanRequest request, CancellationToken cancellationToken)
    {
        var response = new RawScanResponse();
        if (CheckApiVersionDebug(request.Context, "raw_scan", raw: true) is { } apiError)
        {
            response.Kvs.Add(AbortPair(apiError));
        }
        else if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            response.RegionError = regionError;
        }
        else if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Kvs.Add(AbortPair($"Error(InvalidCf(\"{request.Cf}\"))"));
        }
        else
        {
            var start = request.StartKey.ToByteArray();
            if (CheckSeek(region, start) is { } seekError)
            {
                response.RegionError = seekError;
            }
            else
            {
                AddPairs(response.Kvs, ScanRange(region, cf, start, request.EndKey.ToByteArray(), request.Limit, request.KeyOnly, request.Reverse));
            }
        }

        return ValueTask.FromResult(response);
    }

    private ValueTask<RawBatchScanResponse> RawBatchScanAsync(RawBatchScanRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchScanResponse();
        if (CheckApiVersionDebug(request.Context, "raw_batch_scan", raw: true) is { } apiError)
        {
            response.Kvs.Add(AbortPair(apiError));
            return ValueTask.FromResult(response);
        }

        if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return ValueTask.FromResult(response);
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Kvs.Add(AbortPair($"Error(InvalidCf(\"{request.Cf}\"))"));
            return ValueTask.FromResult(response);
        }

        var ranges = request.Ranges;
        if (!ValidRanges(ranges, request.Reverse))
        {
            response.Kvs.Add(AbortPair("Error(Other(\"Invalid KeyRanges\"))"));
            return ValueTask.FromResult(response);
        }

        var result = new List<KeyValuePair<byte[], byte[]>>();
        for (var i = 0; i < ranges.Count; i++)
        {
            var start = ranges[i].StartKey.ToByteArray();
            var end = ranges[i].EndKey.Length == 0 && i + 1 < ranges.Count
                ? ranges[i + 1].StartKey.ToByteArray()
                : ranges[i].EndKey.ToByteArray();
            if (CheckSeek(region, start) is { } seekError)
            {
                response.RegionError = seekError;
                return ValueTask.FromResult(response);
            }

            result.AddRange(ScanRange(region, cf, start, end, request.EachLimit, request.KeyOnly, request.Reverse));
        }

        AddPairs(response.Kvs, result);
        return ValueTask.FromResult(response);
    }

    private ValueTask<RawGetKeyTTLResponse> RawGetKeyTtlAsync(RawGetKeyTTLRequest request, CancellationToken cancellationToken)
    {
        var response = new RawGetKeyTTLResponse();
        if (CheckApiVersion(request.Context, "raw_get_key_ttl", raw: true) is { } apiError)
        {
            response.Error = apiError;
        }
        else if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            response.RegionError = regionError;
        }
        else if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
        }
        else if (!region.Contains(request.Key.Span))
        {
            response.Error = RegionErrors.KeyOutOfRangeMessage(request.Key.Span, region);
        }
        else if (_cluster.Raw.GetTtl(cf, request.Key.Span) is { } ttl)
        {
            response.Ttl = ttl;
        }
        else
        {
            response.NotFound = true;
        }

        return ValueTask.FromResult(response);
    }

    private async ValueTask<RawCASResponse> RawCompareAndSwapAsync(RawCASRequest request, CancellationToken cancellationToken)
    {
        var response = new RawCASResponse();
        if (CheckApiVersion(request.Context, "raw_compare_and_swap", raw: true) is { } apiError)
        {
            response.Error = apiError;
            return response;
        }

        if (!RawStore.TryParseCf(request.Cf, out var cf))
        {
            response.Error = InvalidCf(request.Cf);
            return response;
        }

        if (RejectContext(request.Context, readOnly: false, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        // The command reads the current value through the region snapshot first: a key outside the region fails
        // that read, which TiKV reports as an error string.
        if (!region.Contains(request.Key.Span))
        {
            response.Error = RegionErrors.KeyOutOfRangeMessage(request.Key.Span, region);
            return response;
        }

        var key = request.Key.ToByteArray();
        var expected = request.PreviousNotExist ? null : request.PreviousValue.ToByteArray();
        var (previous, succeeded) = await _cluster.Raw.CompareAndSwapAsync(
            cf, key, expected, request.Value.ToByteArray(), request.Ttl, request.Delete, cancellationToken).ConfigureAwait(false);
        if (previous is null)
        {
            response.PreviousNotExist = true;
        }
        else
        {
            response.PreviousValue = UnsafeByteOperations.UnsafeWrap(previous);
        }

        response.Succeed = succeeded;
        if (succeeded)
        {
            _cluster.SplitChecker.OnWrite(region.Id, 1, key.Length + request.Value.Length);
        }

        return response;
    }

    private ValueTask<RawChecksumResponse> RawChecksumAsync(RawChecksumRequest request, CancellationToken cancellationToken)
    {
        var response = new RawChecksumResponse();
        if (CheckApiVersion(request.Context, "raw_checksum", raw: true) is { } apiError)
        {
            response.Error = apiError;
            return ValueTask.FromResult(response);
        }

        if (RejectContext(request.Context, readOnly: true, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return ValueTask.FromResult(response);
        }

        var ranges = new List<(byte[], byte[])>();
        foreach (var range in request.Ranges)
        {
            var start = range.StartKey.ToByteArray();
            if (CheckSeek(region, start) is { } seekError)
            {
                response.RegionError = seekError;
                return ValueTask.FromResult(response);
            }

            ranges.Add((start, ClampEnd(range.EndKey.ToByteArray(), region.EndKey)));
        }

        var (checksum, kvs, bytes) = _cluster.Raw.Checksum(ranges);
        response.Checksum = checksum;
        response.TotalKvs = kvs;
        response.TotalBytes = bytes;
        return ValueTask.FromResult(response);
    }

    /// <summary>
    /// One raw scan inside the region, as RawStore's forward and reverse scans over a region iterator: forward scans
    /// [start, min(end, region end)); reverse scans go down from just below <paramref name="start"/> to
    /// max(end, region start), end inclusive. A limit of 0 returns nothing.
    /// </summary>
    private List<KeyValuePair<byte[], byte[]>> ScanRange(
        Regions.RegionState region, ColumnFamily cf, byte[] start, byte[] end, uint limit, bool keyOnly, bool reverse)
    {
        var max = (int)Math.Min(limit, int.MaxValue);
        if (!reverse)
        {
            return _cluster.Raw.Scan(cf, start, ClampEnd(end, region.EndKey), max, keyOnly, reverse: false);
        }

        if (start.Length == 0)
        {
            // reverse_seek("") finds nothing below the smallest key.
            return [];
        }

        var lower = end.AsSpan().SequenceCompareTo(region.StartKey) > 0 ? end : region.StartKey;
        return _cluster.Raw.Scan(cf, lower, start, max, keyOnly, reverse: true);
    }

    /// <summary>TiKV's <c>check_key_ranges</c> for batch scans.</summary>
    private static bool ValidRanges(Google.Protobuf.Collections.RepeatedField<KeyRange> ranges, bool reverse)
    {
        for (var i = 0; i < ranges.Count; i++)
        {
            var start = ranges[i].StartKey.Span;
            var end = ranges[i].EndKey.Span;
            if (end.IsEmpty && i + 1 != ranges.Count)
            {
                end = ranges[i + 1].StartKey.Span;
            }

            if (!end.IsEmpty && ((!reverse && start.SequenceCompareTo(end) >= 0) || (reverse && start.SequenceCompareTo(end) <= 0)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Apply-time checks of a delete-range: start &lt; end unless end is empty (else a message-only region error),
    /// start in the region, end not beyond the region's end (KeyNotInRegion).
    /// </summary>
    private static Proto.Errorpb.Error? CheckDeleteRange(Regions.RegionState region, byte[] start, byte[] end)
    {
        if (end.Length != 0 && start.AsSpan().SequenceCompareTo(end) >= 0)
        {
            return RegionErrors.Message(
                $"\"invalid delete range command, start_key: {RustBytes(start)}, end_key: {RustBytes(end)}\"");
        }

        if (!region.Contains(start))
        {
            return RegionErrors.KeyNotInRegion(start, region);
        }

        return KeyComparer.CompareEnd(end, region.EndKey) > 0 ? RegionErrors.KeyNotInRegion(end, region) : null;
    }

    /// <summary>Rust's Debug form of a byte vector.</summary>
    private static string RustBytes(byte[] bytes) => "[" + string.Join(", ", bytes) + "]";

    private static byte[] ClampEnd(byte[] end, byte[] regionEnd) =>
        KeyComparer.CompareEnd(end, regionEnd) <= 0 ? end : regionEnd;

    private async Task WriteRawAsync(bool atomic, Func<ValueTask> write, CancellationToken cancellationToken)
    {
        if (atomic)
        {
            await _cluster.Raw.RunAtomicAsync(
                async () =>
                {
                    await write().ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await write().ConfigureAwait(false);
        }
    }

    private static void AddPairs(Google.Protobuf.Collections.RepeatedField<KvPair> target, List<KeyValuePair<byte[], byte[]>> entries)
    {
        foreach (var entry in entries)
        {
            target.Add(new KvPair { Key = UnsafeByteOperations.UnsafeWrap(entry.Key), Value = UnsafeByteOperations.UnsafeWrap(entry.Value) });
        }
    }

    private static KvPair AbortPair(string message) => new() { Error = new KeyError { Abort = message } };

    private static string InvalidCf(string cf) => $"invalid cf name: {cf}";
}
