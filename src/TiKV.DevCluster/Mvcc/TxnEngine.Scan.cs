using Google.Protobuf;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>KvScan over the request's own range.</summary>
    public ValueTask<ScanResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken = default)
        => ScanAsync(request, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>
    /// KvScan with the range clamped to the region [<paramref name="regionStart"/>, <paramref name="regionEnd"/>)
    /// (empty end = unbounded). Forward scans cover [start_key, end_key); reverse scans [end_key, start_key)
    /// descending. A locked key yields a pair carrying only the error and counts toward the limit, as in TiKV.
    /// </summary>
    public ValueTask<ScanResponse> ScanAsync(ScanRequest request, ReadOnlyMemory<byte> regionStart, ReadOnlyMemory<byte> regionEnd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new ScanResponse();
        var (lower, upper) = request.Reverse
            ? ClampRange(request.EndKey.Span, request.StartKey.Span, regionStart.Span, regionEnd.Span)
            : ClampRange(request.StartKey.Span, request.EndKey.Span, regionStart.Span, regionEnd.Span);
        if (request.Limit == 0 || (upper.Length > 0 && lower.AsSpan().SequenceCompareTo(upper) >= 0))
        {
            return ValueTask.FromResult(response);
        }

        var context = request.Context;
        var isolation = context?.IsolationLevel ?? IsolationLevel.Si;
        var bypass = NullIfEmpty(context?.ResolvedLocks);
        var access = NullIfEmpty(context?.CommittedLocks);
        var encodedLower = EncodeBound(lower);
        var encodedUpper = EncodeBound(upper);
        var checkLocks = LockConflict.NeedsLockCheck(isolation);
        try
        {
            if (checkLocks)
            {
                _concurrency.UpdateMaxTs(request.Version);
                _concurrency.CheckRange(encodedLower, encodedUpper, request.Version, bypass, isolation);
            }

            var scan = new ScanState(request, checkLocks, bypass, access, isolation);
            RunScan(scan, encodedLower, encodedUpper, response, cancellationToken);
        }
        catch (MvccException ex)
        {
            response.Pairs.Clear();
            response.Error = ex.KeyError;
        }

        return ValueTask.FromResult(response);
    }

    /// <summary>Intersects [lower, upper) with the region; empty upper means unbounded.</summary>
    private static (byte[] Lower, byte[] Upper) ClampRange(ReadOnlySpan<byte> lower, ReadOnlySpan<byte> upper, ReadOnlySpan<byte> regionStart, ReadOnlySpan<byte> regionEnd)
    {
        var clampedLower = lower.SequenceCompareTo(regionStart) >= 0 ? lower : regionStart;
        ReadOnlySpan<byte> clampedUpper;
        if (upper.IsEmpty)
        {
            clampedUpper = regionEnd;
        }
        else if (regionEnd.IsEmpty)
        {
            clampedUpper = upper;
        }
        else
        {
            clampedUpper = upper.SequenceCompareTo(regionEnd) <= 0 ? upper : regionEnd;
        }

        return (clampedLower.ToArray(), clampedUpper.ToArray());
    }

    private void RunScan(ScanState scan, byte[] encodedLower, byte[] encodedUpper, ScanResponse response, CancellationToken cancellationToken)
    {
        var reverse = scan.Request.Reverse;
        using var locks = _storage.Scan(ColumnFamily.Lock, encodedLower, encodedUpper, reverse).GetEnumerator();
        using var writes = _storage.Scan(ColumnFamily.Write, encodedLower, encodedUpper, reverse).GetEnumerator();
        var hasLock = scan.CheckLocks && locks.MoveNext();
        var hasWrite = writes.MoveNext();
        var versions = new List<KeyValuePair<byte[], byte[]>>();
        var limit = (int)Math.Min(scan.Request.Limit, int.MaxValue);
        while (response.Pairs.Count < limit && (hasLock || hasWrite))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<byte> current;
            if (hasLock && hasWrite)
            {
                var lockKey = locks.Current.Key;
                var writeUserKey = MvccKey.UserKeyOf(writes.Current.Key);
                var order = lockKey.AsSpan().SequenceCompareTo(writeUserKey);
                current = (reverse ? order > 0 : order < 0) ? lockKey : writeUserKey;
            }
            else
            {
                current = hasLock ? locks.Current.Key : MvccKey.UserKeyOf(writes.Current.Key);
            }

            var userKey = current.ToArray();

            // Gather the write records of this user key, newest first.
            versions.Clear();
            while (hasWrite && MvccKey.IsVersionOf(writes.Current.Key, userKey))
            {
                versions.Add(writes.Current);
                hasWrite = writes.MoveNext();
            }

            if (reverse)
            {
                versions.Reverse();
            }

            LockRecord? lockRecord = null;
            if (hasLock && locks.Current.Key.AsSpan().SequenceEqual(userKey))
            {
                lockRecord = LockRecord.Parse(locks.Current.Value);
                hasLock = locks.MoveNext();
            }

            EmitKey(scan, userKey, lockRecord, versions, response);
        }
    }

    private void EmitKey(ScanState scan, byte[] userKey, LockRecord? lockRecord, List<KeyValuePair<byte[], byte[]>> versions, ScanResponse response)
    {
        var ts = scan.Request.Version;
        ReadOnlyMemory<byte>? value = null;
        var decided = false;
        if (lockRecord is not null)
        {
            var rawKey = UnsafeByteOperations.UnsafeWrap(MvccKey.Decode(userKey));
            if (LockConflict.Blocks(lockRecord, ts, rawKey.Span, scan.Bypass, scan.Isolation))
            {
                if (!LockConflict.Contains(scan.Access, lockRecord.StartTs))
                {
                    response.Pairs.Add(new KvPair { Error = LockConflict.Error(lockRecord, ts, rawKey, scan.Isolation).KeyError });
                    return;
                }

                value = _reader.LoadDataFromLock(userKey, lockRecord);
                decided = true;
            }
        }

        if (!decided)
        {
            foreach (var version in versions)
            {
                var commitTs = MvccKey.DecodeTs(version.Key);
                if (commitTs > ts)
                {
                    if (scan.Isolation == IsolationLevel.RccheckTs)
                    {
                        // TiKV's scanners fail the whole scan here (move_write_cursor_to_ts).
                        throw NewerVersionConflict(ts, commitTs, UnsafeByteOperations.UnsafeWrap(MvccKey.Decode(userKey)));
                    }

                    continue;
                }

                var write = WriteRecord.Parse(version.Value);
                if (!write.IsValidAsLatestVersion(ts) || write.Kind == WriteKind.Delete)
                {
                    break;
                }

                if (write.Kind == WriteKind.Put)
                {
                    value = scan.Request.KeyOnly ? ReadOnlyMemory<byte>.Empty : _reader.LoadData(userKey, write);
                    break;
                }
            }
        }

        if (value is not { } found)
        {
            return;
        }

        // sample_step keeps one of every `step` found keys, starting with the first.
        if (scan.Request.SampleStep > 0 && scan.RowCount++ % scan.Request.SampleStep != 0)
        {
            return;
        }

        response.Pairs.Add(new KvPair
        {
            Key = UnsafeByteOperations.UnsafeWrap(MvccKey.Decode(userKey)),
            Value = scan.Request.KeyOnly ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(found),
        });
    }

    private sealed class ScanState(ScanRequest request, bool checkLocks, IReadOnlyList<ulong>? bypass, IReadOnlyList<ulong>? access, IsolationLevel isolation)
    {
        public IsolationLevel Isolation { get; } = isolation;

        public ScanRequest Request { get; } = request;

        public bool CheckLocks { get; } = checkLocks;

        public IReadOnlyList<ulong>? Bypass { get; } = bypass;

        public IReadOnlyList<ulong>? Access { get; } = access;

        public uint RowCount { get; set; }
    }
}
