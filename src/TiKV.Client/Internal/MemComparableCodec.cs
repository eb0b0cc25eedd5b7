namespace TiKV.Client.Internal;

/// <summary>
/// TiKV's memcomparable byte encoding (tikv_util::codec::bytes::encode_bytes, the same as TiDB's
/// codec.EncodeBytes): the key is cut into 8-byte groups, the last one zero-padded, and each group is
/// followed by a marker <c>0xFF - padding</c>. Encoded keys sort exactly like the originals and no encoded
/// key is a prefix of another. In API v1 transactional keys are stored, and region boundaries reported
/// by PD, in this form; raw keys are not encoded.
/// </summary>
internal static class MemComparableCodec
{
    private const int GroupSize = 8;
    private const byte Marker = 0xFF;

    public static int EncodedLength(int keyLength) => (keyLength / GroupSize + 1) * (GroupSize + 1);

    public static byte[] Encode(ReadOnlySpan<byte> key)
    {
        var result = new byte[EncodedLength(key.Length)];
        Encode(key, result);
        return result;
    }

    public static void Encode(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        var groups = key.Length / GroupSize + 1;
        for (var g = 0; g < groups; g++)
        {
            var offset = g * GroupSize;
            var remaining = key.Length - offset;
            var dst = destination.Slice(g * (GroupSize + 1), GroupSize + 1);
            if (remaining >= GroupSize)
            {
                key.Slice(offset, GroupSize).CopyTo(dst);
                dst[GroupSize] = Marker;
            }
            else
            {
                key[offset..].CopyTo(dst);
                dst[remaining..GroupSize].Clear();
                dst[GroupSize] = (byte)(Marker - (GroupSize - remaining));
            }
        }
    }

    /// <summary>Decodes one encoded key from the start of <paramref name="encoded"/>; returns the key and the bytes consumed.</summary>
    public static (byte[] Key, int Consumed) Decode(ReadOnlySpan<byte> encoded)
    {
        var buffer = new List<byte>(encoded.Length);
        var offset = 0;
        while (true)
        {
            if (encoded.Length - offset < GroupSize + 1)
            {
                throw new FormatException($"Memcomparable key is truncated: {encoded.Length} bytes, group at offset {offset} is incomplete.");
            }

            var group = encoded.Slice(offset, GroupSize + 1);
            offset += GroupSize + 1;
            var padCount = Marker - group[GroupSize];
            if (padCount == 0)
            {
                foreach (var b in group[..GroupSize])
                {
                    buffer.Add(b);
                }

                continue;
            }

            if (padCount > GroupSize)
            {
                throw new FormatException($"Memcomparable key has an invalid group marker 0x{group[GroupSize]:X2} at offset {offset - 1}.");
            }

            var realLength = GroupSize - padCount;
            foreach (var b in group[..realLength])
            {
                buffer.Add(b);
            }

            foreach (var b in group[realLength..GroupSize])
            {
                if (b != 0)
                {
                    throw new FormatException($"Memcomparable key has non-zero padding before offset {offset - 1}.");
                }
            }

            return (buffer.ToArray(), offset);
        }
    }
}
