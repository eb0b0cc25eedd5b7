using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    private const int GcKeysPerBatch = 128;

    /// <summary>
    /// KvGC over raw keys [<paramref name="start"/>, <paramref name="end"/>) (empty end = unbounded), TiKV's gc action
    /// per key: below the safe point, Lock and Rollback records go, the newest Put stays (older versions go), and a
    /// newest Delete goes together with everything older.
    /// </summary>
    public async ValueTask<GCResponse> GcAsync(ulong safePoint, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, CancellationToken cancellationToken = default)
    {
        var response = new GCResponse();
        var encodedStart = EncodeBound(start.Span);
        var encodedEnd = EncodeBound(end.Span);
        var keys = new List<byte[]>(GcKeysPerBatch);
        byte[]? previous = null;
        foreach (var entry in _storage.Scan(ColumnFamily.Write, encodedStart, encodedEnd))
        {
            var userKey = MvccKey.UserKeyOf(entry.Key);
            if (previous is not null && userKey.SequenceEqual(previous))
            {
                continue;
            }

            // Only keys with something at or below the safe point can have garbage.
            previous = userKey.ToArray();
            keys.Add(previous);
            if (keys.Count == GcKeysPerBatch)
            {
                await GcKeysAsync(keys, safePoint, cancellationToken).ConfigureAwait(false);
                keys.Clear();
            }
        }

        if (keys.Count > 0)
        {
            await GcKeysAsync(keys, safePoint, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>
    /// KvDeleteRange: removes everything of every column family in the raw key range (notify_only does nothing). Like
    /// TiKV's Storage::delete_range it writes straight to the engine: locks it deletes wake no pessimistic waiter; those
    /// wait out their timeout and then find the key free.
    /// </summary>
    public async ValueTask<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new DeleteRangeResponse();
        if (request.NotifyOnly)
        {
            return response;
        }

        if (!request.EndKey.IsEmpty && request.StartKey.Span.SequenceCompareTo(request.EndKey.Span) > 0)
        {
            response.Error = $"invalid range: start_key {Convert.ToHexString(request.StartKey.Span)} is after end_key {Convert.ToHexString(request.EndKey.Span)}";
            return response;
        }

        var start = EncodeBound(request.StartKey.Span);
        var end = EncodeBound(request.EndKey.Span);
        var batch = new WriteBatch(3);
        batch.DeleteRange(ColumnFamily.Default, start, end);
        batch.DeleteRange(ColumnFamily.Lock, start, end);
        batch.DeleteRange(ColumnFamily.Write, start, end);
        await _storage.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async ValueTask GcKeysAsync(List<byte[]> keys, ulong safePoint, CancellationToken cancellationToken)
    {
        var encodedKeys = keys.ToArray();
        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var txn = new MvccTxn(0);
        foreach (var encoded in encodedKeys)
        {
            GcKey(txn, encoded, safePoint);
        }

        await ApplyAsync(txn).ConfigureAwait(false);
    }

    private void GcKey(MvccTxn txn, byte[] encoded, ulong safePoint)
    {
        var removeAll = false;
        WriteRecord? pendingDelete = null;
        ulong pendingDeleteTs = 0;
        var seekTs = safePoint;
        while (_reader.SeekWrite(encoded, seekTs, out var commitTs, out var write))
        {
            if (removeAll)
            {
                DeleteVersion(txn, encoded, commitTs, write!);
            }
            else
            {
                switch (write!.Kind)
                {
                    case WriteKind.Put:
                        removeAll = true;
                        break;
                    case WriteKind.Delete:
                        // Keep it until everything older is gone, then drop it too: the key reads as absent either way.
                        removeAll = true;
                        pendingDelete = write;
                        pendingDeleteTs = commitTs;
                        break;
                    default:
                        DeleteVersion(txn, encoded, commitTs, write);
                        break;
                }
            }

            if (commitTs == 0)
            {
                break;
            }

            seekTs = commitTs - 1;
        }

        if (pendingDelete is not null)
        {
            DeleteVersion(txn, encoded, pendingDeleteTs, pendingDelete);
        }
    }

    private static void DeleteVersion(MvccTxn txn, byte[] encoded, ulong commitTs, WriteRecord write)
    {
        txn.DeleteWrite(encoded, commitTs);
        if (write.Kind == WriteKind.Put && write.ShortValue is null)
        {
            txn.DeleteValue(encoded, write.StartTs);
        }
    }
}
