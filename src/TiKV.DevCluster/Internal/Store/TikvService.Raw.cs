using Google.Protobuf;
using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The raw API's reads, following TiKV's <c>Storage::raw_*</c> (checks in <c>TikvService.RawChecks.cs</c>). Point
/// reads outside the region fail with an error string (TiKV's snapshot get reports an engine error); scans seeking
/// outside it fail with KeyNotInRegion.
/// </summary>
internal sealed partial class TikvService
{
    private ValueTask<RawGetResponse> RawGetAsync(RawGetRequest request, CancellationToken cancellationToken)
    {
        var response = new RawGetResponse();
        if (RejectRawRead(request.Context, "raw_get", request.Cf, RawErrorForm.Display, out var region, out var cf, out var rejection))
        {
            response.RegionError = rejection.RegionError;
            response.Error = rejection.Message;
        }
        else if (!region.Contains(request.Key.Span))
        {
            response.Error = RegionErrors.KeyOutOfRangeMessage(request.Key.Span, region);
        }
        else if (_cluster.Raw.TryGetValue(cf, request.Key.Span, out var value))
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
        if (RejectRawRead(request.Context, "raw_batch_get", request.Cf, RawErrorForm.Debug, out var region, out var cf, out var rejection))
        {
            response.RegionError = rejection.RegionError;
            AddAbort(response.Pairs, rejection);
            return ValueTask.FromResult(response);
        }

        // TiKV answers the keys that exist, in request order; a key outside the region gets a per-key error.
        foreach (var key in request.Keys)
        {
            if (!region.Contains(key.Span))
            {
                response.Pairs.Add(AbortPair(RegionErrors.KeyOutOfRangeMessage(key.Span, region)));
            }
            else if (_cluster.Raw.TryGetValue(cf, key.Span, out var value))
            {
                response.Pairs.Add(new KvPair { Key = key, Value = UnsafeByteOperations.UnsafeWrap(value) });
            }
        }

        return ValueTask.FromResult(response);
    }

    private ValueTask<RawScanResponse> RawScanAsync(RawScanRequest request, CancellationToken cancellationToken)
    {
        var response = new RawScanResponse();
        if (RejectRawRead(request.Context, "raw_scan", request.Cf, RawErrorForm.Debug, out var region, out var cf, out var rejection))
        {
            response.RegionError = rejection.RegionError;
            AddAbort(response.Kvs, rejection);
            return ValueTask.FromResult(response);
        }

        var start = request.StartKey.ToByteArray();
        if (CheckSeek(region, start) is { } seekError)
        {
            response.RegionError = seekError;
        }
        else
        {
            AddPairs(response.Kvs, ScanRange(region, cf, start, request.EndKey.ToByteArray(), request.Limit, request.KeyOnly, request.Reverse));
        }

        return ValueTask.FromResult(response);
    }

    private ValueTask<RawBatchScanResponse> RawBatchScanAsync(RawBatchScanRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchScanResponse();
        if (RejectRawRead(request.Context, "raw_batch_scan", request.Cf, RawErrorForm.Debug, out var region, out var cf, out var rejection))
        {
            response.RegionError = rejection.RegionError;
            AddAbort(response.Kvs, rejection);
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
        if (RejectRawRead(request.Context, "raw_get_key_ttl", request.Cf, RawErrorForm.Display, out var region, out var cf, out var rejection))
        {
            response.RegionError = rejection.RegionError;
            response.Error = rejection.Message;
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

    private ValueTask<RawChecksumResponse> RawChecksumAsync(RawChecksumRequest request, CancellationToken cancellationToken)
    {
        var response = new RawChecksumResponse();

        // A checksum names no column family; the empty name is the default one and always passes.
        if (RejectRawRead(request.Context, "raw_checksum", string.Empty, RawErrorForm.Display, out var region, out _, out var rejection))
        {
            response.RegionError = rejection.RegionError;
            response.Error = rejection.Message;
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

    private static byte[] ClampEnd(byte[] end, byte[] regionEnd) =>
        KeyComparer.CompareEnd(end, regionEnd) <= 0 ? end : regionEnd;

    private static void AddPairs(Google.Protobuf.Collections.RepeatedField<KvPair> target, List<KeyValuePair<byte[], byte[]>> entries)
    {
        foreach (var entry in entries)
        {
            target.Add(new KvPair { Key = UnsafeByteOperations.UnsafeWrap(entry.Key), Value = UnsafeByteOperations.UnsafeWrap(entry.Value) });
        }
    }

    private static KvPair AbortPair(string message) => new() { Error = new KeyError { Abort = message } };

    /// <summary>A refusal by error text, in a response that reports errors as key errors: one abort pair.</summary>
    private static void AddAbort(Google.Protobuf.Collections.RepeatedField<KvPair> pairs, RawRejection rejection)
    {
        if (rejection.RegionError is null)
        {
            pairs.Add(AbortPair(rejection.Message));
        }
    }
}
