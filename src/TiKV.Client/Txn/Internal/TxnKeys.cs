using TiKV.Client.Internal;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Transactional keys travel raw in kvrpcpb requests, but PD keeps transactional region boundaries in their
/// memcomparable encoding (API v1). Keys are located by their encoding; region boundaries are turned back into
/// raw keys where a request needs a raw bound (scans).
/// </summary>
internal static class TxnKeys
{
    public static byte[] Encode(ReadOnlySpan<byte> key) => MemComparableCodec.Encode(key);

    /// <summary>
    /// The smallest raw key whose encoding is at or above an encoded region boundary (empty stays empty). A boundary
    /// that is an encoded key followed by more bytes maps to the key just after it; a boundary that is no encoding at
    /// all (a split made at a raw key) is used as a raw key without its trailing zero bytes, which sorts every encoded
    /// key on the correct side of it.
    /// </summary>
    public static byte[] DecodeBound(byte[] encodedBound)
    {
        if (encodedBound.Length == 0)
        {
            return [];
        }

        if (TryDecode(encodedBound, out var key, out var consumed))
        {
            return consumed == encodedBound.Length ? key : [.. key, 0];
        }

        return encodedBound.AsSpan().TrimEnd((byte)0).ToArray();
    }

    private static bool TryDecode(byte[] encoded, out byte[] key, out int consumed)
    {
        try
        {
            (key, consumed) = MemComparableCodec.Decode(encoded);
            return true;
        }
        catch (FormatException)
        {
            key = [];
            consumed = 0;
            return false;
        }
    }
}
