using System.Runtime.CompilerServices;
using Google.Protobuf;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Txn.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class Snapshot
{
    /// <summary>
    /// Streams the pairs in <c>[startKey, endKey)</c> at the snapshot in ascending key order across regions, at most
    /// <paramref name="limit"/> of them. An empty <paramref name="endKey"/> runs to the end of the key space. Pages of
    /// 256 pairs are fetched as the caller iterates; all of them read at <see cref="Timestamp"/>, so the scan as a
    /// whole is consistent.
    /// </summary>
    public IAsyncEnumerable<KvPair> ScanAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey = default, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        TxnArguments.ValidateRange(startKey.Span, endKey.Span, nameof(startKey));
        TxnArguments.ValidateLimit(limit, nameof(limit));
        return ScanCoreAsync(startKey.ToArray(), endKey.ToArray(), limit, reverse: false, cancellationToken);
    }

    /// <summary>Streams the pairs in the UTF-8 range <c>[startKey, endKey)</c> (null endKey = no end).</summary>
    public IAsyncEnumerable<KvPair> ScanAsync(string startKey, string? endKey = null, int limit = int.MaxValue, CancellationToken cancellationToken = default) =>
        ScanAsync(TxnArguments.Utf8(startKey, nameof(startKey)), endKey is null ? default : TxnArguments.Utf8(endKey, nameof(endKey)), limit, cancellationToken);

    /// <summary>
    /// Streams pairs in descending key order with TiKV's reverse-scan bounds: <paramref name="startKey"/> is the
    /// exclusive upper bound (required), <paramref name="endKey"/> the inclusive lower bound (empty: the beginning of
    /// the key space).
    /// </summary>
    public IAsyncEnumerable<KvPair> ReverseScanAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey = default, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        if (startKey.IsEmpty)
        {
            throw new ArgumentException("Reverse scans need an upper bound: startKey (exclusive) must not be empty.", nameof(startKey));
        }

        TxnArguments.ValidateRange(endKey.Span, startKey.Span, nameof(startKey));
        TxnArguments.ValidateLimit(limit, nameof(limit));
        return ScanCoreAsync(startKey.ToArray(), endKey.ToArray(), limit, reverse: true, cancellationToken);
    }

    /// <summary>Reverse scan over UTF-8 bounds (null endKey = from the beginning).</summary>
    public IAsyncEnumerable<KvPair> ReverseScanAsync(string startKey, string? endKey = null, int limit = int.MaxValue, CancellationToken cancellationToken = default) =>
        ReverseScanAsync(TxnArguments.Utf8(startKey, nameof(startKey)), endKey is null ? default : TxnArguments.Utf8(endKey, nameof(endKey)), limit, cancellationToken);

    /// <summary>
    /// The scan loop (client-go's txnsnapshot.Scanner): one region page at a time, clamped to the region's raw bounds;
    /// a page that met locks is resolved and read again before any of it is yielded. Forward scans cover
    /// [<paramref name="first"/>, <paramref name="second"/>); reverse scans [<paramref name="second"/>, <paramref name="first"/>) downwards.
    /// </summary>
    internal async IAsyncEnumerable<KvPair> ScanCoreAsync(byte[] first, byte[] second, int limit, bool reverse, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The span covers the whole enumeration: every page fetched until the caller stops iterating.
        using var activity = Diagnostics.Internal.ClientMetrics.ActivitySource.StartActivity(reverse ? "KvReverseScan" : "KvScan");
        var txn = await _owner.GetTxnCoreAsync(cancellationToken).ConfigureAwait(false);
        var backoffer = txn.NewBackoffer(reverse ? "KvReverseScan" : "KvScan", TxnBudgets.Read);
        var remaining = limit;
        var cursor = first;
        while (remaining > 0 && (reverse ? cursor.AsSpan().SequenceCompareTo(second) > 0 : second.Length == 0 || cursor.AsSpan().SequenceCompareTo(second) < 0))
        {
            var page = Math.Min(remaining, TxnBudgets.ScanBatchSize);
            var from = cursor;
            var (response, region) = await txn.Plan.RegionAsync(
                backoffer,
                b => reverse ? txn.Core.Regions.LocateEndKeyAsync(TxnKeys.Encode(from), b, cancellationToken) : txn.LocateAsync(from, b, cancellationToken),
                r => TxnRequests.Scan(
                    new ScanRequest
                    {
                        StartKey = ByteString.CopyFrom(from),
                        EndKey = ByteString.CopyFrom(reverse ? LowerBound(r, second) : UpperBound(r, second)),
                        Limit = (uint)page,
                        Version = Timestamp,
                        Reverse = reverse,
                    },
                    Locks),
                cancellationToken).ConfigureAwait(false);

            if (Locked(response) is { Count: > 0 } locks)
            {
                await ResolveForReadAsync(txn, backoffer, locks, cancellationToken).ConfigureAwait(false);
                continue;
            }

            byte[]? last = null;
            foreach (var pair in response.Pairs)
            {
                last = pair.Key.ToByteArray();
                remaining--;
                yield return new KvPair(last, pair.Value.ToByteArray());
            }

            if (response.Pairs.Count >= page && last is not null)
            {
                // A full page: continue inside the region right after (before) the last key.
                cursor = reverse ? last : [.. last, 0];
            }
            else if ((reverse ? region.StartKey : region.EndKey).Length == 0)
            {
                yield break;
            }
            else
            {
                cursor = TxnKeys.DecodeBound(reverse ? region.StartKey : region.EndKey);
            }
        }
    }

    /// <summary>The request's end: the user's bound or the region's end, whichever comes first.</summary>
    private static byte[] UpperBound(CachedRegion region, byte[] end)
    {
        var regionEnd = TxnKeys.DecodeBound(region.EndKey);
        if (end.Length == 0)
        {
            return regionEnd;
        }

        return regionEnd.Length != 0 && regionEnd.AsSpan().SequenceCompareTo(end) < 0 ? regionEnd : end;
    }

    /// <summary>A reverse request's lower bound: the user's bound or the region's start, whichever is higher.</summary>
    private static byte[] LowerBound(CachedRegion region, byte[] lower)
    {
        var regionStart = TxnKeys.DecodeBound(region.StartKey);
        return regionStart.AsSpan().SequenceCompareTo(lower) > 0 ? regionStart : lower;
    }

    private static List<TxnLock>? Locked(ScanResponse response)
    {
        if (response.Error is { } error)
        {
            return [LockOf(error, "KvScan")];
        }

        List<TxnLock>? locks = null;
        foreach (var pair in response.Pairs)
        {
            if (pair.Error is { } pairError)
            {
                (locks ??= []).Add(LockOf(pairError, "KvScan"));
            }
        }

        return locks;
    }
}
