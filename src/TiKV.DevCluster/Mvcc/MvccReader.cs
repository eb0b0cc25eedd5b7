using System.Diagnostics.CodeAnalysis;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// Reads lock, write and default CF records of single keys (TiKV's MvccReader/SnapshotReader). Write commands
/// read keys they hold latches on, so what they read cannot change under them.
/// </summary>
internal sealed class MvccReader
{
    private readonly IStorageEngine _storage;

    public MvccReader(IStorageEngine storage)
    {
        _storage = storage;
    }

    public LockRecord? LoadLock(byte[] encodedKey)
        => _storage.TryGet(ColumnFamily.Lock, encodedKey, out var bytes) ? LockRecord.Parse(bytes) : null;

    /// <summary>The lock as this command sees it: its own pending change if any, else storage.</summary>
    public LockRecord? LoadLock(MvccTxn txn, byte[] encodedKey)
        => txn.TryGetPendingLock(encodedKey, out var pending) ? pending : LoadLock(encodedKey);

    /// <summary>The newest write record of the key with commit_ts ≤ <paramref name="ts"/>.</summary>
    public bool SeekWrite(byte[] encodedKey, ulong ts, out ulong commitTs, out WriteRecord? write)
    {
        if (SeekWriteBytes(encodedKey, ts, out commitTs, out var value))
        {
            write = WriteRecord.Parse(value);
            return true;
        }

        write = null;
        return false;
    }

    /// <summary>Like <see cref="SeekWrite"/>, but leaves the record in its stored form.</summary>
    private bool SeekWriteBytes(byte[] encodedKey, ulong ts, out ulong commitTs, [NotNullWhen(true)] out byte[]? value)
    {
        Span<byte> seekKey = encodedKey.Length <= 248 ? stackalloc byte[encodedKey.Length + MvccKey.TsLength] : new byte[encodedKey.Length + MvccKey.TsLength];
        MvccKey.WriteVersionKey(encodedKey, ts, seekKey);
        if (_storage.TrySeekVersion(ColumnFamily.Write, seekKey, out var key, out value))
        {
            commitTs = MvccKey.DecodeTs(key);
            return true;
        }

        commitTs = 0;
        return false;
    }

    /// <summary>
    /// TiKV's get_txn_commit_record: walks the key's write records from the newest down to start_ts looking for
    /// the transaction's commit or rollback, noticing a commit of another transaction at exactly start_ts.
    /// </summary>
    public TxnCommitRecord GetTxnCommitRecord(byte[] encodedKey, ulong startTs)
    {
        var seekTs = ulong.MaxValue;
        ulong gcFence = 0;
        while (SeekWrite(encodedKey, seekTs, out var commitTs, out var write))
        {
            if (write!.StartTs == startTs)
            {
                return new TxnCommitRecord(TxnCommitRecordKind.SingleRecord, commitTs, write, null, 0);
            }

            if (commitTs == startTs)
            {
                return write.HasOverlappedRollback
                    ? new TxnCommitRecord(TxnCommitRecordKind.OverlappedRollback, commitTs, null, null, 0)
                    : new TxnCommitRecord(TxnCommitRecordKind.None, 0, null, write, gcFence);
            }

            if (write.Kind is WriteKind.Put or WriteKind.Delete)
            {
                gcFence = commitTs;
            }

            if (commitTs < startTs || commitTs == 0)
            {
                break;
            }

            seekTs = commitTs - 1;
        }

        return default;
    }

    /// <summary>
    /// TiKV's get_write_with_commit_ts: the newest Put visible at <paramref name="ts"/>, skipping Lock and
    /// Rollback records; null when the newest data record is a Delete or the key has none.
    /// </summary>
    public bool GetWrite(byte[] encodedKey, ulong ts, ulong? gcFenceLimit, out WriteRecord? write, out ulong commitTs)
    {
        // Only the record that decides the answer is decoded; Lock and Rollback records on the way are skipped by kind.
        while (SeekWriteBytes(encodedKey, ts, out commitTs, out var value))
        {
            if (gcFenceLimit is { } limit && !WriteRecord.IsValidAsLatestVersion(value, limit))
            {
                break;
            }

            switch (WriteRecord.PeekKind(value))
            {
                case WriteKind.Put:
                    write = WriteRecord.Parse(value);
                    return true;
                case WriteKind.Delete:
                    write = null;
                    return false;
                default:
                    if (commitTs == 0)
                    {
                        write = null;
                        return false;
                    }

                    ts = commitTs - 1;
                    break;
            }
        }

        write = null;
        commitTs = 0;
        return false;
    }

    /// <summary>The value of a Put record: inline, or from the default CF at start_ts.</summary>
    public ReadOnlyMemory<byte> LoadData(byte[] encodedKey, WriteRecord write)
    {
        if (write.ShortValue is { } shortValue)
        {
            return shortValue;
        }

        if (_storage.TryGet(ColumnFamily.Default, MvccKey.AppendTs(encodedKey, write.StartTs), out var value))
        {
            return value;
        }

        throw MvccErrors.BadRequest($"default not found: value of start_ts {write.StartTs} is missing for a committed write");
    }

    /// <summary>The value a lock would commit (for reads allowed through committed_locks).</summary>
    public ReadOnlyMemory<byte>? LoadDataFromLock(byte[] encodedKey, LockRecord lockRecord)
    {
        if (lockRecord.Kind != LockKind.Put)
        {
            return null;
        }

        if (lockRecord.ShortValue is { } shortValue)
        {
            return shortValue;
        }

        if (_storage.TryGet(ColumnFamily.Default, MvccKey.AppendTs(encodedKey, lockRecord.StartTs), out var value))
        {
            return value;
        }

        throw MvccErrors.BadRequest($"default not found: value of lock start_ts {lockRecord.StartTs} is missing");
    }
}
