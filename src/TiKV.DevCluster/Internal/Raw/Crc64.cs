namespace TiKV.DevCluster.Internal.Raw;

/// <summary>
/// CRC-64/XZ (ECMA-182 polynomial, reflected, initial and final value all ones): the checksum of the
/// <c>crc64fast</c> crate TiKV uses for <c>RawChecksum</c> with <c>Crc64_Xor</c>.
/// </summary>
internal static class Crc64
{
    private const ulong Polynomial = 0xC96C5795D7870F42UL;
    private static readonly ulong[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var crc = ulong.MaxValue;
        crc = Update(crc, first);
        crc = Update(crc, second);
        return ~crc;
    }

    private static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
