using System.Buffers.Binary;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// The first 16 bytes of a key, zero-padded, as a big-endian number. Prefixes order like their keys: a smaller
/// prefix means a smaller key (a zero-padded shorter key is a prefix of the longer one, which sorts after it);
/// equal prefixes decide nothing. Comparing two numbers held in a dense array saves following a reference to a
/// key array, which with many cached regions is a cache miss each time.
/// </summary>
internal static class KeyPrefix
{
    public const int Length = 16;

    /// <summary>The prefix of <paramref name="key"/>. Computed on every lookup, so short keys take no stack buffer.</summary>
    public static UInt128 Of(ReadOnlySpan<byte> key)
    {
        if (key.Length >= Length)
        {
            return BinaryPrimitives.ReadUInt128BigEndian(key);
        }

        if (key.Length < 8)
        {
            return new UInt128(Partial(key), 0);
        }

        var high = BinaryPrimitives.ReadUInt64BigEndian(key);
        return new UInt128(high, Partial(key[8..]));
    }

    /// <summary>Up to 7 bytes as the high bytes of a big-endian 64-bit number, zero-padded.</summary>
    private static ulong Partial(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        var shift = 56;
        foreach (var b in bytes)
        {
            value |= (ulong)b << shift;
            shift -= 8;
        }

        return value;
    }
}
