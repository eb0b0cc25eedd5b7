namespace TiKV.DevCluster.Mvcc;

/// <summary>A commit or rollback record as stored in the write CF under key + !commit_ts (TiKV's txn_types::Write).</summary>
internal sealed class WriteRecord
{
    private const byte FlagShortValue = 1;
    private const byte FlagOverlappedRollback = 2;
    private const byte FlagProtected = 4;
    private const byte FlagGcFence = 8;

    public WriteRecord(WriteKind kind, ulong startTs, ReadOnlyMemory<byte>? shortValue = null)
    {
        Kind = kind;
        StartTs = startTs;
        ShortValue = shortValue;
    }

    public WriteKind Kind { get; }

    public ulong StartTs { get; }

    public ReadOnlyMemory<byte>? ShortValue { get; }

    /// <summary>
    /// Set when a transaction whose start_ts equals this record's commit_ts was rolled back here: the rollback
    /// could not get its own record (same key and timestamp), so it is folded into this one.
    /// </summary>
    public bool HasOverlappedRollback { get; init; }

    /// <summary>A protected rollback is never collapsed away (TiKV marks it with the short value "p").</summary>
    public bool IsProtected { get; init; }

    /// <summary>
    /// Commit ts of the next newer Put/Delete at the time an overlapped rollback was added (0: none). A reader at
    /// ts ≥ gc_fence must not take this record as the latest version, because GC may have removed versions in between.
    /// </summary>
    public ulong? GcFence { get; init; }

    public static WriteRecord Rollback(ulong startTs, bool isProtected) => new(WriteKind.Rollback, startTs) { IsProtected = isProtected };

    public static WriteRecord Parse(byte[] bytes)
    {
        if (bytes.Length < 3)
        {
            throw new FormatException("Write record is too short.");
        }

        var kind = (WriteKind)bytes[0];
        var flags = bytes[1];
        var offset = 2;
        var startTs = RecordCodec.ReadVarint(bytes, ref offset);
        ulong? gcFence = null;
        if ((flags & FlagGcFence) != 0)
        {
            gcFence = RecordCodec.ReadVarint(bytes, ref offset);
        }

        // Careful: a bare `null` would convert to an empty ReadOnlyMemory (via byte[]), not to "no value".
        ReadOnlyMemory<byte>? shortValue = (flags & FlagShortValue) != 0
            ? new ReadOnlyMemory<byte>(bytes, offset, bytes.Length - offset)
            : default(ReadOnlyMemory<byte>?);
        return new WriteRecord(kind, startTs, shortValue)
        {
            HasOverlappedRollback = (flags & FlagOverlappedRollback) != 0,
            IsProtected = (flags & FlagProtected) != 0,
            GcFence = gcFence,
        };
    }

    /// <summary>
    /// <see cref="IsValidAsLatestVersion(ulong)"/> on the stored form, decoding only the fence: readers step over
    /// Lock and Rollback records without building them.
    /// </summary>
    public static bool IsValidAsLatestVersion(byte[] bytes, ulong readTs)
    {
        if (bytes.Length < 3)
        {
            throw new FormatException("Write record is too short.");
        }

        if ((bytes[1] & FlagGcFence) == 0)
        {
            return true;
        }

        var offset = 2;
        RecordCodec.ReadVarint(bytes, ref offset);
        var fence = RecordCodec.ReadVarint(bytes, ref offset);
        return fence == 0 || fence > readTs;
    }

    /// <summary>Reads only the type and start_ts, for scans that skip most records.</summary>
    public static WriteKind PeekKind(byte[] bytes) => bytes.Length > 0 ? (WriteKind)bytes[0] : throw new FormatException("Empty write record.");

    public byte[] ToBytes() => Encode(Kind, StartTs, ShortValue, HasOverlappedRollback, IsProtected, GcFence);

    /// <summary>The stored form of a record with these fields, without building the record first.</summary>
    public static byte[] Encode(WriteKind kind, ulong startTs, ReadOnlyMemory<byte>? shortValue, bool hasOverlappedRollback, bool isProtected = false, ulong? gcFence = null)
    {
        var flags = (byte)0;
        var size = 2 + RecordCodec.VarintSize(startTs);
        if (shortValue is { } value)
        {
            flags |= FlagShortValue;
            size += value.Length;
        }

        if (hasOverlappedRollback)
        {
            flags |= FlagOverlappedRollback;
        }

        if (isProtected)
        {
            flags |= FlagProtected;
        }

        if (gcFence is { } fence)
        {
            flags |= FlagGcFence;
            size += RecordCodec.VarintSize(fence);
        }

        var buffer = new byte[size];
        buffer[0] = (byte)kind;
        buffer[1] = flags;
        var offset = RecordCodec.WriteVarint(buffer, 2, startTs);
        if (gcFence is { } writtenFence)
        {
            offset = RecordCodec.WriteVarint(buffer, offset, writtenFence);
        }

        shortValue?.Span.CopyTo(buffer.AsSpan(offset));
        return buffer;
    }

    /// <summary>Copy with an overlapped rollback folded in (TiKV's Write::set_overlapped_rollback).</summary>
    public WriteRecord WithOverlappedRollback(ulong? gcFence) => new(Kind, StartTs, ShortValue)
    {
        HasOverlappedRollback = true,
        IsProtected = IsProtected,
        GcFence = gcFence,
    };

    /// <summary>TiKV's check_gc_fence_as_latest_version: whether this record may be the latest version for a read at <paramref name="readTs"/>.</summary>
    public bool IsValidAsLatestVersion(ulong readTs) => GcFence is not { } fence || fence == 0 || fence > readTs;
}
