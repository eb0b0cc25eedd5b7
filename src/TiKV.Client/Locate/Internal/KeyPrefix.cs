using System.Buffers.Binary;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// The first 16 bytes of a key, zero-padded, as a big-endian number. Prefixes order like their keys: a smaller
/// prefix means a smaller key (a zero-padded shorter key is a prefix of the longer one, which sorts after it);
/// equal prefixes decide nothing. Comparing two numbers held in a dense array or in the region object itself
/// saves following a reference to a key array, which with many cached regions is a cache miss each time.
/// </summary>
internal static class KeyPrefix
{
    public const int Length = 16;

    public static UInt128 Of(ReadOnlySpan<byte> key)
    {
        if (key.Length >= Length)
        {
            return BinaryPrimitives.ReadUInt128BigEndian(key);
        }

        Span<byte> padded = stackalloc byte[Length];
        padded.Clear();
        key.CopyTo(padded);
        return BinaryPrimitives.ReadUInt128BigEndian(padded);
    }
}
