namespace TiKV.DevCluster.Internal.Keys;

/// <summary>
/// TiKV's memcomparable byte encoding (<c>codec::bytes::encode_bytes</c>): the key is cut into 8-byte groups,
/// the last one padded with zeros, and each group is followed by a marker byte <c>0xFF - padding</c>. A key whose
/// length is a multiple of 8 gets a final all-padding group. The encoding preserves order, so in API v1 PD keeps
/// transactional region boundaries in this form and TiKV compares encoded keys against them.
/// </summary>
internal static class KeyCodec
{
    private const int GroupSize = 8;
    private const byte Marker = 0xFF;

    /// <summary>Length of the encoding of a key of <paramref name="length"/> bytes.</summary>
    public static int EncodedLength(int length) => (length / GroupSize + 1) * (GroupSize + 1);

    /// <summary>Encodes <paramref name="key"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> key)
    {
        var result = new byte[EncodedLength(key.Length)];
        var offset = 0;
        for (var index = 0; index <= key.Length; index += GroupSize)
        {
            var remain = key.Length - index;
            var take = Math.Min(remain, GroupSize);
            key.Slice(index, take).CopyTo(result.AsSpan(offset));
            var pad = GroupSize - take;
            result[offset + GroupSize] = (byte)(Marker - pad);
            offset += GroupSize + 1;
            if (remain < GroupSize)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>
    /// Decodes a complete encoded key. Returns false when <paramref name="encoded"/> is not a well-formed encoding
    /// (wrong length, bad marker or non-zero padding).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out byte[] key)
    {
        if (!TryDecodePrefix(encoded, out key, out var consumed) || consumed != encoded.Length)
        {
            key = [];
            return false;
        }

        return true;
    }

    /// <summary>
    /// Decodes the encoded key at the start of <paramref name="encoded"/> (which may be followed by other bytes,
    /// e.g. a timestamp) and reports how many bytes it used.
    /// </summary>
    public static bool TryDecodePrefix(ReadOnlySpan<byte> encoded, out byte[] key, out int consumed)
    {
        var buffer = new List<byte>(encoded.Length);
        var offset = 0;
        while (true)
        {
            if (offset + GroupSize + 1 > encoded.Length)
            {
                key = [];
                consumed = 0;
                return false;
            }

            var marker = encoded[offset + GroupSize];
            var pad = Marker - marker;
            if (pad > GroupSize)
            {
                key = [];
                consumed = 0;
                return false;
            }

            var group = encoded.Slice(offset, GroupSize);
            for (var i = GroupSize - pad; i < GroupSize; i++)
            {
                if (group[i] != 0)
                {
                    key = [];
                    consumed = 0;
                    return false;
                }
            }

            for (var i = 0; i < GroupSize - pad; i++)
            {
                buffer.Add(group[i]);
            }

            offset += GroupSize + 1;
            if (pad != 0)
            {
                key = [.. buffer];
                consumed = offset;
                return true;
            }
        }
    }

    /// <summary>
    /// The raw-key form of an encoded region boundary, for APIs that take raw user keys: the smallest raw key whose
    /// encoding is at or above <paramref name="encodedBound"/> (empty stays empty). A boundary that is an encoded key
    /// followed by more bytes (a timestamp) maps to the key just after that encoded key. A boundary that is no
    /// encoding at all (a region split at a raw key) is used as a raw key itself, which puts every encoded key at or
    /// above it on the same side; only keys that share the boundary as a prefix may then land on the other side.
    /// </summary>
    public static byte[] DecodeBound(ReadOnlySpan<byte> encodedBound)
    {
        if (encodedBound.IsEmpty)
        {
            return [];
        }

        if (TryDecode(encodedBound, out var exact))
        {
            return exact;
        }

        if (TryDecodePrefix(encodedBound, out var prefix, out _))
        {
            return [.. prefix, 0];
        }

        return encodedBound.TrimEnd((byte)0).ToArray();
    }
}
