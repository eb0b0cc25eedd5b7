using System.Runtime.CompilerServices;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Raw.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class RawKVClient
{
    /// <summary>
    /// Streams the pairs in <c>[startKey, endKey)</c> in ascending key order across regions, at most
    /// <paramref name="limit"/> of them (default: no limit). An empty <paramref name="startKey"/> starts at the
    /// beginning of the key space, an empty <paramref name="endKey"/> runs to its end. With
    /// <paramref name="keyOnly"/> values come back empty. Pages of up to <see cref="MaxScanPageSize"/> pairs are
    /// fetched as the caller iterates; each page is a consistent read of one region, the scan as a whole is not.
    /// </summary>
    public IAsyncEnumerable<KvPair> ScanAsync(
        ReadOnlyMemory<byte> startKey,
        ReadOnlyMemory<byte> endKey = default,
        int limit = int.MaxValue,
        bool keyOnly = false,
        CancellationToken cancellationToken = default)
    {
        ValidateRange(startKey.Span, endKey.Span, nameof(startKey));
        ValidateLimit(limit, nameof(limit));
        return ScanForwardAsync(startKey.ToArray(), endKey.ToArray(), limit, keyOnly, cancellationToken);
    }

    /// <summary>Streams the pairs in the UTF-8 range <c>[startKey, endKey)</c> (see the byte overload; null endKey = no end).</summary>
    public IAsyncEnumerable<KvPair> ScanAsync(string startKey, string? endKey = null, int limit = int.MaxValue, bool keyOnly = false, CancellationToken cancellationToken = default) =>
        ScanAsync(Utf8(startKey, nameof(startKey)), endKey is null ? default : Utf8(endKey, nameof(endKey)), limit, keyOnly, cancellationToken);

    /// <summary>
    /// Streams pairs in descending key order with TiKV's reverse-scan semantics: <paramref name="startKey"/> is the
    /// exclusive upper bound (required), <paramref name="endKey"/> the inclusive lower bound (empty: the beginning
    /// of the key space). So <c>ReverseScanAsync("b", "a")</c> yields keys in <c>[a, b)</c> from the largest down.
    /// </summary>
    public IAsyncEnumerable<KvPair> ReverseScanAsync(
        ReadOnlyMemory<byte> startKey,
        ReadOnlyMemory<byte> endKey = default,
        int limit = int.MaxValue,
        bool keyOnly = false,
        CancellationToken cancellationToken = default)
    {
        if (startKey.IsEmpty)
        {
            throw new ArgumentException("Reverse scans need an upper bound: startKey (exclusive) must not be empty.", nameof(startKey));
        }

        ValidateRange(endKey.Span, startKey.Span, nameof(startKey));
        ValidateLimit(limit, nameof(limit));
        return ScanReverseAsync(startKey.ToArray(), endKey.ToArray(), limit, keyOnly, cancellationToken);
    }

    /// <summary>Reverse scan over UTF-8 bounds (see the byte overload; null endKey = from the beginning).</summary>
    public IAsyncEnumerable<KvPair> ReverseScanAsync(string startKey, string? endKey = null, int limit = int.MaxValue, bool keyOnly = false, CancellationToken cancellationToken = default) =>
        ReverseScanAsync(Utf8(startKey, nameof(startKey)), endKey is null ? default : Utf8(endKey, nameof(endKey)), limit, keyOnly, cancellationToken);

    /// <summary>
    /// Scans several ranges, at most <paramref name="eachLimit"/> pairs from each, and returns the results in the
    /// order of the ranges. Ranges are scanned concurrently.
    /// </summary>
    public async Task<IReadOnlyList<KvPair>> BatchScanAsync(IEnumerable<KeyRange> ranges, int eachLimit, bool keyOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ValidateLimit(eachLimit, nameof(eachLimit));
        var list = ranges.ToArray();
        foreach (var range in list)
        {
            ValidateRange(range.StartKey.Span, range.EndKey.Span, nameof(ranges));
        }

        using var activity = ClientMetrics.ActivitySource.StartActivity("RawBatchScan");
        var parts = await Task.WhenAll(list.Select(async range =>
        {
            var pairs = new List<KvPair>();
            await foreach (var pair in ScanForwardAsync(range.StartKey.ToArray(), range.EndKey.ToArray(), eachLimit, keyOnly, cancellationToken).ConfigureAwait(false))
            {
                pairs.Add(pair);
            }

            return pairs;
        })).ConfigureAwait(false);
        return [.. parts.SelectMany(p => p)];
    }

    private async IAsyncEnumerable<KvPair> ScanForwardAsync(byte[] startKey, byte[] endKey, int limit, bool keyOnly, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The span covers the whole enumeration: every page fetched until the caller stops iterating.
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawScan");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var backoffer = plan.NewBackoffer("RawScan");
        var remaining = limit;
        var cursor = startKey;
        while (remaining > 0 && (endKey.Length == 0 || cursor.AsSpan().SequenceCompareTo(endKey) < 0))
        {
            var page = Math.Min(remaining, MaxScanPageSize);
            var from = cursor;
            var (response, region) = await plan.RegionAsync(
                backoffer,
                b => plan.Core.Regions.LocateKeyAsync(from, b, cancellationToken),
                region => RawRequests.Scan(new RawScanRequest
                {
                    StartKey = Wrap(from),
                    EndKey = Wrap(RangeEnd(endKey, region.EndKey)),
                    Limit = (uint)page,
                    KeyOnly = keyOnly,
                    Cf = ColumnFamily,
                }),
                cancellationToken).ConfigureAwait(false);

            byte[]? last = null;
            foreach (var kv in response.Kvs)
            {
                if (kv.Error is { } error)
                {
                    throw new KeyException(error, $"RawScan failed at key {Convert.ToHexString(kv.Key.Span)}.");
                }

                last = kv.Key.ToByteArray();
                remaining--;
                yield return new KvPair(last, keyOnly ? [] : kv.Value.ToByteArray());
            }

            if (response.Kvs.Count >= page && last is not null)
            {
                // The page was full: continue inside the region right after the last key.
                cursor = [.. last, 0];
            }
            else if (region.EndKey.Length == 0)
            {
                yield break;
            }
            else
            {
                cursor = region.EndKey;
            }
        }
    }

    private async IAsyncEnumerable<KvPair> ScanReverseAsync(byte[] upperKey, byte[] lowerKey, int limit, bool keyOnly, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawReverseScan");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var backoffer = plan.NewBackoffer("RawReverseScan");
        var remaining = limit;
        var cursor = upperKey;
        while (remaining > 0 && cursor.AsSpan().SequenceCompareTo(lowerKey) > 0)
        {
            var page = Math.Min(remaining, MaxScanPageSize);
            var upper = cursor;
            var (response, region) = await plan.RegionAsync(
                backoffer,
                b => plan.Core.Regions.LocateEndKeyAsync(upper, b, cancellationToken),
                region => RawRequests.Scan(new RawScanRequest
                {
                    StartKey = Wrap(upper),
                    EndKey = Wrap(region.StartKey.AsSpan().SequenceCompareTo(lowerKey) > 0 ? region.StartKey : lowerKey),
                    Limit = (uint)page,
                    KeyOnly = keyOnly,
                    Reverse = true,
                    Cf = ColumnFamily,
                }),
                cancellationToken).ConfigureAwait(false);

            byte[]? last = null;
            foreach (var kv in response.Kvs)
            {
                if (kv.Error is { } error)
                {
                    throw new KeyException(error, $"RawScan (reverse) failed at key {Convert.ToHexString(kv.Key.Span)}.");
                }

                last = kv.Key.ToByteArray();
                remaining--;
                yield return new KvPair(last, keyOnly ? [] : kv.Value.ToByteArray());
            }

            if (response.Kvs.Count >= page && last is not null)
            {
                cursor = last;
            }
            else if (region.StartKey.Length == 0)
            {
                yield break;
            }
            else
            {
                cursor = region.StartKey;
            }
        }
    }
}
