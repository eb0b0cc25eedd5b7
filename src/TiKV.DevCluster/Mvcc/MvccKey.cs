using System.Buffers.Binary;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// TiKV's on-disk key layout for transactional data. A user key is memcomparable-encoded (8-byte groups, each
/// followed by a marker 0xFF - padding), which keeps order and makes encoded keys prefix-free; versions append
/// the timestamp as big-endian !ts so the newest version of a key sorts first. The lock CF holds the bare
/// encoded key, the write CF encoded key + !commit_ts, the default CF encoded key + !start_ts.
/// </summary>
internal static class MvccKey
{
    /// <summary>Size of the timestamp suffix.</summary>
    public const int TsLength = 8;

    private const int GroupSize = 8;
    private const byte Marker = 0xFF;

    /// <summary>The encoded length of a raw key of <paramref name="rawLength"/> bytes.</summary>
    public static int EncodedLength(int rawLength) => ((rawLength / GroupSize) + 1) * (GroupSize + 1);

    /// <summary>Encodes <paramref name="raw"/> (the lock CF key).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> raw)
    {
        var buffer = new byte[EncodedLength(raw.Length)];
        EncodeInto(raw, buffer);
        return buffer;
    }

    /// <summary>Encodes <paramref name="raw"/> followed by the version suffix for <paramref name="ts"/>.</summary>
    public static byte[] EncodeWithTs(ReadOnlySpan<byte> raw, ulong ts)
    {
        var length = EncodedLength(raw.Length);
        var buffer = new byte[length + TsLength];
        EncodeInto(raw, buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(length), ~ts);
        return buffer;
    }

    /// <summary>Appends the version suffix for <paramref name="ts"/> to an already encoded key.</summary>
    public static byte[] AppendTs(ReadOnlySpan<byte> encoded, ulong ts)
    {
        var buffer = new byte[encoded.Length + TsLength];
        encoded.CopyTo(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(encoded.Length), ~ts);
        return buffer;
    }

    /// <summary>Writes <paramref name="encoded"/> + the version suffix for <paramref name="ts"/> into <paramref name="destination"/>.</summary>
    public static void WriteVersionKey(ReadOnlySpan<byte> encoded, ulong ts, Span<byte> destination)
    {
        encoded.CopyTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[encoded.Length..], ~ts);
    }

    /// <summary>Whether <paramref name="versionKey"/> is a version of the encoded user key <paramref name="encoded"/>.</summary>
    public static bool IsVersionOf(ReadOnlySpan<byte> versionKey, ReadOnlySpan<byte> encoded)
        => versionKey.Length == encoded.Length + TsLength && versionKey.StartsWith(encoded);

    /// <summary>The timestamp of a versioned key.</summary>
    public static ulong DecodeTs(ReadOnlySpan<byte> versionKey)
        => ~BinaryPrimitives.ReadUInt64BigEndian(versionKey[^TsLength..]);

    /// <summary>The encoded user key part of a versioned key.</summary>
    public static ReadOnlySpan<byte> UserKeyOf(ReadOnlySpan<byte> versionKey) => versionKey[..^TsLength];

    /// <summary>Decodes an encoded user key back to raw bytes.</summary>
    /// <exception cref="FormatException">The bytes are not a valid encoding.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0 || encoded.Length % (GroupSize + 1) != 0)
        {
            throw new FormatException($"Encoded key length {encoded.Length} is not a multiple of {GroupSize + 1}.");
        }

        var result = new byte[encoded.Length / (GroupSize + 1) * GroupSize];
        var written = 0;
        for (var offset = 0; offset < encoded.Length; offset += GroupSize + 1)
        {
            var pad = Marker - encoded[offset + GroupSize];
            if (pad > GroupSize)
            {
                throw new FormatException($"Invalid group marker 0x{encoded[offset + GroupSize]:X2} in encoded key.");
            }

            var take = GroupSize - pad;
            encoded.Slice(offset, take).CopyTo(result.AsSpan(written));
            written += take;
            if (pad != 0)
            {
                if (offset + GroupSize + 1 != encoded.Length)
                {
                    throw new FormatException("Encoded key continues after its final group.");
                }

                return result[..written];
            }
        }

        throw new FormatException("Encoded key has no final group.");
    }

    private static void EncodeInto(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        var offset = 0;
        var index = 0;
        while (true)
        {
            var remaining = raw.Length - index;
            if (remaining >= GroupSize)
            {
                raw.Slice(index, GroupSize).CopyTo(buffer.Slice(offset));
                buffer[offset + GroupSize] = Marker;
                index += GroupSize;
                offset += GroupSize + 1;
                continue;
            }

            raw[index..].CopyTo(buffer.Slice(offset));
            buffer.Slice(offset + remaining, GroupSize - remaining).Clear();
            buffer[offset + GroupSize] = (byte)(Marker - (GroupSize - remaining));
            return;
        }
    }
}
