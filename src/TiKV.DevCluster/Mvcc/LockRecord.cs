using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>A Percolator lock as stored in the lock CF (TiKV's txn_types::Lock).</summary>
internal sealed class LockRecord
{
    private const byte FlagShortValue = 1;
    private const byte FlagAsyncCommit = 2;
    private const byte FlagLockedWithConflict = 4;
    private const byte FlagSecondaries = 8;
    private const byte FlagRollbackTs = 16;

    public LockRecord(LockKind kind, ReadOnlyMemory<byte> primary, ulong startTs, ulong ttl)
    {
        Kind = kind;
        Primary = primary;
        StartTs = startTs;
        Ttl = ttl;
    }

    public LockKind Kind { get; set; }

    /// <summary>The raw primary key of the transaction (a slice of the request or of the stored record; never written to).</summary>
    public ReadOnlyMemory<byte> Primary { get; set; }

    public ulong StartTs { get; }

    /// <summary>Milliseconds after the physical part of start_ts during which the lock is alive.</summary>
    public ulong Ttl { get; set; }

    /// <summary>Inline value of a Put (≤ 255 bytes, TiKV's SHORT_VALUE_MAX_LEN); larger values live in the default CF.</summary>
    public ReadOnlyMemory<byte>? ShortValue { get; set; }

    public ulong ForUpdateTs { get; set; }

    public ulong TxnSize { get; set; }

    public ulong MinCommitTs { get; set; }

    public bool UseAsyncCommit { get; set; }

    /// <summary>Transient: the lock belongs to a 1PC prewrite and is turned into a write record before storing.</summary>
    public bool UseOnePc { get; set; }

    /// <summary>A pessimistic lock taken in force-lock mode despite a newer write (TiKV's is_locked_with_conflict).</summary>
    public bool IsLockedWithConflict { get; set; }

    /// <summary>Secondary keys of an async-commit primary lock.</summary>
    public IReadOnlyList<ByteString>? Secondaries { get; set; }

    /// <summary>Start timestamps of transactions rolled back at this key while this async-commit lock stood here.</summary>
    public List<ulong>? RollbackTs { get; set; }

    public bool IsPessimistic => Kind == LockKind.Pessimistic;

    /// <summary>Whether the lock belongs to a pessimistic transaction (for_update_ts is set).</summary>
    public bool IsPessimisticTxn => ForUpdateTs != 0;

    public static LockRecord Parse(byte[] bytes)
    {
        if (bytes.Length < 2)
        {
            throw new FormatException("Lock record is too short.");
        }

        var kind = (LockKind)bytes[0];
        var flags = bytes[1];
        var offset = 2;
        var startTs = RecordCodec.ReadVarint(bytes, ref offset);
        var ttl = RecordCodec.ReadVarint(bytes, ref offset);
        var lockRecord = new LockRecord(kind, ReadOnlyMemory<byte>.Empty, startTs, ttl)
        {
            ForUpdateTs = RecordCodec.ReadVarint(bytes, ref offset),
            TxnSize = RecordCodec.ReadVarint(bytes, ref offset),
            MinCommitTs = RecordCodec.ReadVarint(bytes, ref offset),
            UseAsyncCommit = (flags & FlagAsyncCommit) != 0,
            IsLockedWithConflict = (flags & FlagLockedWithConflict) != 0,
        };
        lockRecord.Primary = RecordCodec.ReadBytes(bytes, ref offset);
        if ((flags & FlagShortValue) != 0)
        {
            lockRecord.ShortValue = RecordCodec.ReadBytes(bytes, ref offset);
        }

        if ((flags & FlagSecondaries) != 0)
        {
            var count = (int)RecordCodec.ReadVarint(bytes, ref offset);
            var secondaries = new ByteString[count];
            for (var i = 0; i < count; i++)
            {
                secondaries[i] = UnsafeByteOperations.UnsafeWrap(RecordCodec.ReadBytes(bytes, ref offset));
            }

            lockRecord.Secondaries = secondaries;
        }

        if ((flags & FlagRollbackTs) != 0)
        {
            var count = (int)RecordCodec.ReadVarint(bytes, ref offset);
            var rollbackTs = new List<ulong>(count);
            for (var i = 0; i < count; i++)
            {
                rollbackTs.Add(RecordCodec.ReadVarint(bytes, ref offset));
            }

            lockRecord.RollbackTs = rollbackTs;
        }

        return lockRecord;
    }

    public byte[] ToBytes()
    {
        var flags = (byte)0;
        var size = 2
            + RecordCodec.VarintSize(StartTs)
            + RecordCodec.VarintSize(Ttl)
            + RecordCodec.VarintSize(ForUpdateTs)
            + RecordCodec.VarintSize(TxnSize)
            + RecordCodec.VarintSize(MinCommitTs)
            + RecordCodec.VarintSize((ulong)Primary.Length) + Primary.Length;
        if (ShortValue is { } shortValue)
        {
            flags |= FlagShortValue;
            size += RecordCodec.VarintSize((ulong)shortValue.Length) + shortValue.Length;
        }

        if (UseAsyncCommit)
        {
            flags |= FlagAsyncCommit;
        }

        if (IsLockedWithConflict)
        {
            flags |= FlagLockedWithConflict;
        }

        if (Secondaries is { Count: > 0 } secondaries)
        {
            flags |= FlagSecondaries;
            size += RecordCodec.VarintSize((ulong)secondaries.Count);
            foreach (var secondary in secondaries)
            {
                size += RecordCodec.VarintSize((ulong)secondary.Length) + secondary.Length;
            }
        }

        if (RollbackTs is { Count: > 0 } rollbackTs)
        {
            flags |= FlagRollbackTs;
            size += RecordCodec.VarintSize((ulong)rollbackTs.Count);
            foreach (var ts in rollbackTs)
            {
                size += RecordCodec.VarintSize(ts);
            }
        }

        var buffer = new byte[size];
        buffer[0] = (byte)Kind;
        buffer[1] = flags;
        var offset = 2;
        offset = RecordCodec.WriteVarint(buffer, offset, StartTs);
        offset = RecordCodec.WriteVarint(buffer, offset, Ttl);
        offset = RecordCodec.WriteVarint(buffer, offset, ForUpdateTs);
        offset = RecordCodec.WriteVarint(buffer, offset, TxnSize);
        offset = RecordCodec.WriteVarint(buffer, offset, MinCommitTs);
        offset = RecordCodec.WriteBytes(buffer, offset, Primary.Span);
        if (ShortValue is { } value)
        {
            offset = RecordCodec.WriteBytes(buffer, offset, value.Span);
        }

        if ((flags & FlagSecondaries) != 0)
        {
            offset = RecordCodec.WriteVarint(buffer, offset, (ulong)Secondaries!.Count);
            foreach (var secondary in Secondaries)
            {
                offset = RecordCodec.WriteBytes(buffer, offset, secondary.Span);
            }
        }

        if ((flags & FlagRollbackTs) != 0)
        {
            offset = RecordCodec.WriteVarint(buffer, offset, (ulong)RollbackTs!.Count);
            foreach (var ts in RollbackTs)
            {
                offset = RecordCodec.WriteVarint(buffer, offset, ts);
            }
        }

        return buffer;
    }

    /// <summary>The kvrpcpb.Op reported to clients for this lock type.</summary>
    public Op LockType => Kind switch
    {
        LockKind.Put => Op.Put,
        LockKind.Delete => Op.Del,
        LockKind.Lock => Op.Lock,
        _ => Op.PessimisticLock,
    };

    /// <summary>TiKV's Lock::into_lock_info.</summary>
    public LockInfo ToLockInfo(ByteString rawKey)
    {
        var info = new LockInfo
        {
            PrimaryLock = UnsafeByteOperations.UnsafeWrap(Primary),
            LockVersion = StartTs,
            Key = rawKey,
            LockTtl = Ttl,
            TxnSize = TxnSize,
            LockType = LockType,
            LockForUpdateTs = ForUpdateTs,
            UseAsyncCommit = UseAsyncCommit,
            MinCommitTs = MinCommitTs,
        };
        if (Secondaries is { } secondaries)
        {
            info.Secondaries.AddRange(secondaries);
        }

        return info;
    }

    public LockRecord Clone()
    {
        var copy = (LockRecord)MemberwiseClone();
        copy.RollbackTs = RollbackTs is null ? null : [.. RollbackTs];
        return copy;
    }
}
