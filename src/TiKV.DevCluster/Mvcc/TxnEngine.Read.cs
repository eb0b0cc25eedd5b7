using Google.Protobuf;
using Google.Protobuf.Collections;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>KvGet: the value visible at version, or KeyIsLocked when a lock may hide a newer value.</summary>
    public ValueTask<GetResponse> GetAsync(GetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new GetResponse();
        var context = request.Context;
        var isolation = context?.IsolationLevel ?? IsolationLevel.Si;
        var bypass = NullIfEmpty(context?.ResolvedLocks);
        var encoded = MvccKey.Encode(request.Key.Span);
        try
        {
            if (LockConflict.NeedsLockCheck(isolation))
            {
                _concurrency.UpdateMaxTs(request.Version);
                _concurrency.CheckKey(encoded, request.Version, bypass, isolation);
            }

            var value = PointGet(encoded, request.Key, request.Version, isolation, bypass, NullIfEmpty(context?.CommittedLocks), out var commitTs);
            if (value is { } found)
            {
                response.Value = UnsafeByteOperations.UnsafeWrap(found);
                if (request.NeedCommitTs)
                {
                    response.CommitTs = commitTs;
                }
            }
            else
            {
                response.NotFound = true;
            }
        }
        catch (MvccException ex)
        {
            response.Error = ex.KeyError;
        }

        return ValueTask.FromResult(response);
    }

    /// <summary>KvBatchGet: found keys in request order; a locked key yields a pair carrying only the error.</summary>
    public ValueTask<BatchGetResponse> BatchGetAsync(BatchGetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new BatchGetResponse();
        var context = request.Context;
        var isolation = context?.IsolationLevel ?? IsolationLevel.Si;
        var bypass = NullIfEmpty(context?.ResolvedLocks);
        var access = NullIfEmpty(context?.CommittedLocks);
        var keys = request.Keys;
        var encoded = new byte[keys.Count][];
        for (var i = 0; i < encoded.Length; i++)
        {
            encoded[i] = MvccKey.Encode(keys[i].Span);
        }

        try
        {
            if (LockConflict.NeedsLockCheck(isolation))
            {
                _concurrency.UpdateMaxTs(request.Version);
                foreach (var key in encoded)
                {
                    _concurrency.CheckKey(key, request.Version, bypass, isolation);
                }
            }
        }
        catch (MvccException ex)
        {
            // A whole-request failure is reported in `error` and, for older clients, in a first pair.
            response.Error = ex.KeyError;
            response.Pairs.Add(new KvPair { Error = ex.KeyError });
            return ValueTask.FromResult(response);
        }

        for (var i = 0; i < encoded.Length; i++)
        {
            try
            {
                var value = PointGet(encoded[i], keys[i], request.Version, isolation, bypass, access, out var commitTs);
                if (value is { } found)
                {
                    var pair = new KvPair { Key = keys[i], Value = UnsafeByteOperations.UnsafeWrap(found) };
                    if (request.NeedCommitTs)
                    {
                        pair.CommitTs = commitTs;
                    }

                    response.Pairs.Add(pair);
                }
            }
            catch (MvccException ex) when (ex.Kind is MvccErrorKind.KeyIsLocked or MvccErrorKind.WriteConflict)
            {
                // A read conflict on one key (a lock, or RcCheckTs meeting something newer) fails that key only.
                response.Pairs.Add(new KvPair { Error = ex.KeyError });
            }
            catch (MvccException ex)
            {
                response.Pairs.Clear();
                response.Error = ex.KeyError;
                response.Pairs.Add(new KvPair { Error = ex.KeyError });
                break;
            }
        }

        return ValueTask.FromResult(response);
    }

    /// <summary>TiKV's PointGetter: lock check, then the newest visible Put.</summary>
    private ReadOnlyMemory<byte>? PointGet(
        byte[] encoded,
        ByteString rawKey,
        ulong ts,
        IsolationLevel isolation,
        IReadOnlyList<ulong>? bypass,
        IReadOnlyList<ulong>? access,
        out ulong commitTs)
    {
        commitTs = 0;
        if (LockConflict.NeedsLockCheck(isolation) && _reader.LoadLock(encoded) is { } lockRecord
            && LockConflict.Blocks(lockRecord, ts, rawKey.Span, bypass, isolation))
        {
            // committed_locks: the client knows this transaction committed before the read, so read through it.
            if (LockConflict.Contains(access, lockRecord.StartTs))
            {
                return _reader.LoadDataFromLock(encoded, lockRecord);
            }

            throw LockConflict.Error(lockRecord, ts, rawKey, isolation);
        }

        if (isolation == IsolationLevel.RccheckTs
            && _reader.SeekWrite(encoded, ulong.MaxValue, out var newestCommitTs, out _) && newestCommitTs > ts)
        {
            throw NewerVersionConflict(ts, newestCommitTs, rawKey);
        }

        if (_reader.GetWrite(encoded, ts, ts, out var write, out commitTs))
        {
            return _reader.LoadData(encoded, write!);
        }

        return null;
    }

    /// <summary>
    /// RcCheckTs met a version committed after the read: the statement must retry with a newer timestamp. TiKV's
    /// point getter and scanners leave conflict_start_ts and primary empty here.
    /// </summary>
    private static MvccException NewerVersionConflict(ulong readTs, ulong newerCommitTs, ByteString rawKey)
        => MvccErrors.WriteConflict(readTs, 0, newerCommitTs, rawKey, ByteString.Empty, WriteConflict.Types.Reason.RcCheckTs);

    private static RepeatedField<ulong>? NullIfEmpty(RepeatedField<ulong>? field) => field is { Count: > 0 } ? field : null;
}
