using Google.Protobuf;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>TiKV resolves region-wide locks in batches of this many keys (RESOLVE_LOCK_BATCH_SIZE).</summary>
    private const int ResolveLockBatchSize = 256;

    /// <summary>
    /// KvResolveLock. With keys: commits (commit_version ≠ 0) or rolls back the transaction on those keys
    /// (ResolveLockLite). Without: resolves every lock in [<paramref name="regionStart"/>, <paramref name="regionEnd"/>)
    /// of the transaction start_version, or of each transaction in txn_infos (status 0 = roll back, else commit ts).
    /// </summary>
    public async ValueTask<ResolveLockResponse> ResolveLockAsync(ResolveLockRequest request, ReadOnlyMemory<byte> regionStart, ReadOnlyMemory<byte> regionEnd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new ResolveLockResponse();
        try
        {
            if (request.Keys.Count > 0)
            {
                await ResolveKeysAsync(request, cancellationToken).ConfigureAwait(false);
                return response;
            }

            var txnStatus = new Dictionary<ulong, ulong>();
            if (request.StartVersion > 0)
            {
                txnStatus[request.StartVersion] = request.CommitVersion;
            }
            else
            {
                foreach (var info in request.TxnInfos)
                {
                    txnStatus[info.Txn] = info.Status;
                }
            }

            if (txnStatus.Count > 0)
            {
                await ResolveRangeAsync(txnStatus, EncodeBound(regionStart.Span), EncodeBound(regionEnd.Span), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
        }

        return response;
    }

    /// <summary>
    /// KvScanLock: locks with start_ts ≤ max_version in the request range clamped to the region; limit 0 = no limit.
    /// An async-commit or 1PC lock still only in memory fails the scan with KeyIsLocked, as in TiKV.
    /// </summary>
    public ValueTask<ScanLockResponse> ScanLockAsync(ScanLockRequest request, ReadOnlyMemory<byte> regionStart, ReadOnlyMemory<byte> regionEnd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new ScanLockResponse();
        _concurrency.UpdateMaxTs(request.MaxVersion);
        var (lower, upper) = ClampRange(request.StartKey.Span, request.EndKey.Span, regionStart.Span, regionEnd.Span);
        if (upper.Length > 0 && lower.AsSpan().SequenceCompareTo(upper) >= 0)
        {
            return ValueTask.FromResult(response);
        }

        var encodedLower = EncodeBound(lower);
        var encodedUpper = EncodeBound(upper);
        try
        {
            _concurrency.CheckRangeForScanLock(encodedLower, encodedUpper, request.MaxVersion);
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
            return ValueTask.FromResult(response);
        }

        foreach (var entry in _storage.Scan(ColumnFamily.Lock, encodedLower, encodedUpper))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lockRecord = LockRecord.Parse(entry.Value);
            if (lockRecord.StartTs > request.MaxVersion)
            {
                continue;
            }

            response.Locks.Add(lockRecord.ToLockInfo(UnsafeByteOperations.UnsafeWrap(MvccKey.Decode(entry.Key))));
            if (request.Limit > 0 && response.Locks.Count >= request.Limit)
            {
                break;
            }
        }

        return ValueTask.FromResult(response);
    }

    private async ValueTask ResolveKeysAsync(ResolveLockRequest request, CancellationToken cancellationToken)
    {
        var encodedKeys = EncodeKeys(request.Keys);
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(request.StartVersion);
        for (var i = 0; i < encodedKeys.Length; i++)
        {
            if (request.CommitVersion != 0)
            {
                CommitKey(txn, encodedKeys[i], request.Keys[i], request.CommitVersion, CommitRole.Unknown);
            }
            else
            {
                CleanupKey(txn, encodedKeys[i], request.Keys[i], 0, protectRollback: false);
            }
        }

        await ApplyAsync(txn).ConfigureAwait(false);
    }

    private ValueTask ResolveRangeAsync(Dictionary<ulong, ulong> txnStatus, byte[] start, byte[] end, CancellationToken cancellationToken)
        => ForEachLockBatchAsync(
            start,
            end,
            lockRecord => txnStatus.ContainsKey(lockRecord.StartTs),
            (keys, token) => ResolveBatchAsync(txnStatus, keys, token),
            cancellationToken);

    /// <summary>
    /// The read phase of TiKV's region-wide commands (ResolveLockReadPhase, PessimisticRollbackReadPhase): finds the
    /// locks in [start, end) that <paramref name="filter"/> selects, at most RESOLVE_LOCK_BATCH_SIZE at a time, and
    /// hands each batch to <paramref name="writePhase"/>, which re-reads the locks under latches.
    /// </summary>
    private async ValueTask ForEachLockBatchAsync(
        byte[] start,
        byte[] end,
        Func<LockRecord, bool> filter,
        Func<byte[][], CancellationToken, ValueTask> writePhase,
        CancellationToken cancellationToken)
    {
        var scanFrom = start;
        while (true)
        {
            var batch = new List<byte[]>(ResolveLockBatchSize);
            foreach (var entry in _storage.Scan(ColumnFamily.Lock, scanFrom, end))
            {
                if (filter(LockRecord.Parse(entry.Value)))
                {
                    batch.Add(entry.Key);
                    if (batch.Count == ResolveLockBatchSize)
                    {
                        break;
                    }
                }
            }

            if (batch.Count == 0)
            {
                return;
            }

            await writePhase([.. batch], cancellationToken).ConfigureAwait(false);
            if (batch.Count < ResolveLockBatchSize)
            {
                return;
            }

            var last = batch[^1];
            scanFrom = new byte[last.Length + 1];
            last.CopyTo(scanFrom, 0);
        }
    }

    /// <summary>Write phase: re-reads each lock under latches and commits or rolls it back.</summary>
    private async ValueTask ResolveBatchAsync(Dictionary<ulong, ulong> txnStatus, byte[][] encodedKeys, CancellationToken cancellationToken)
    {
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(0);
        foreach (var encoded in encodedKeys)
        {
            var lockRecord = _reader.LoadLock(txn, encoded);
            if (lockRecord is null || !txnStatus.TryGetValue(lockRecord.StartTs, out var commitTs))
            {
                continue;
            }

            txn.StartTs = lockRecord.StartTs;
            var rawKey = UnsafeByteOperations.UnsafeWrap(MvccKey.Decode(encoded));
            if (commitTs == 0)
            {
                CleanupKey(txn, encoded, rawKey, 0, protectRollback: false);
            }
            else if (commitTs > lockRecord.StartTs)
            {
                // TiKV tolerates TxnLockNotFound here for a pessimistic lock that vanished between its read and write
                // phases; this lock was just re-read under the latch, and a pessimistic one is removed by CommitKey.
                CommitKey(txn, encoded, rawKey, commitTs, CommitRole.Unknown);
            }
            else
            {
                throw MvccErrors.InvalidTxnTso(lockRecord.StartTs, commitTs);
            }
        }

        await ApplyAsync(txn).ConfigureAwait(false);
    }
}
