using System.Buffers.Binary;
using System.Numerics;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// FarmHash Fingerprint64 (the "na" variant) of raw keys. TiKV hashes keys with it for lock waiting and
/// deadlock detection, and clients compare deadlock_key_hash with their own fingerprints of locked keys.
/// </summary>
internal static class KeyHash
{
    private const ulong K0 = 0xc3a5c85c97cb3127UL;
    private const ulong K1 = 0xb492b66fbe98f273UL;
    private const ulong K2 = 0x9ae16a3b2f90404fUL;

    public static ulong Fingerprint64(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        if (length <= 16)
        {
            return HashLen0To16(s);
        }

        if (length <= 32)
        {
            return HashLen17To32(s);
        }

        if (length <= 64)
        {
            return HashLen33To64(s);
        }

        return HashLongerThan64(s);
    }

    private static ulong Fetch64(ReadOnlySpan<byte> s, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(s[offset..]);

    private static uint Fetch32(ReadOnlySpan<byte> s, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(s[offset..]);

    private static ulong Ror(ulong value, int shift) => BitOperations.RotateRight(value, shift);

    private static ulong ShiftMix(ulong value) => value ^ (value >> 47);

    private static ulong HashLen16(ulong u, ulong v, ulong mul)
    {
        var a = (u ^ v) * mul;
        a ^= a >> 47;
        var b = (v ^ a) * mul;
        b ^= b >> 47;
        return b * mul;
    }

    private static ulong HashLen0To16(ReadOnlySpan<byte> s)
    {
        var length = (ulong)s.Length;
        if (length >= 8)
        {
            var mul = K2 + (length * 2);
            var a = Fetch64(s, 0) + K2;
            var b = Fetch64(s, s.Length - 8);
            var c = (Ror(b, 37) * mul) + a;
            var d = (Ror(a, 25) + b) * mul;
            return HashLen16(c, d, mul);
        }

        if (length >= 4)
        {
            var mul = K2 + (length * 2);
            ulong a = Fetch32(s, 0);
            return HashLen16(length + (a << 3), Fetch32(s, s.Length - 4), mul);
        }

        if (length > 0)
        {
            uint a = s[0];
            uint b = s[s.Length >> 1];
            uint c = s[s.Length - 1];
            var y = a + (b << 8);
            var z = (uint)length + (c << 2);
            return ShiftMix((y * K2) ^ (z * K0)) * K2;
        }

        return K2;
    }

    private static ulong HashLen17To32(ReadOnlySpan<byte> s)
    {
        var length = (ulong)s.Length;
        var mul = K2 + (length * 2);
        var a = Fetch64(s, 0) * K1;
        var b = Fetch64(s, 8);
        var c = Fetch64(s, s.Length - 8) * mul;
        var d = Fetch64(s, s.Length - 16) * K2;
        return HashLen16(Ror(a + b, 43) + Ror(c, 30) + d, a + Ror(b + K2, 18) + c, mul);
    }

    private static ulong HashLen33To64(ReadOnlySpan<byte> s)
    {
        var length = (ulong)s.Length;
        var mul = K2 + (length * 2);
        var a = Fetch64(s, 0) * K2;
        var b = Fetch64(s, 8);
        var c = Fetch64(s, s.Length - 8) * mul;
        var d = Fetch64(s, s.Length - 16) * K2;
        var y = Ror(a + b, 43) + Ror(c, 30) + d;
        var z = HashLen16(y, a + Ror(b + K2, 18) + c, mul);
        var e = Fetch64(s, 16) * mul;
        var f = Fetch64(s, 24);
        var g = (y + Fetch64(s, s.Length - 32)) * mul;
        var h = (z + Fetch64(s, s.Length - 24)) * mul;
        return HashLen16(Ror(e + f, 43) + Ror(g, 30) + h, e + Ror(f + a, 18) + g, mul);
    }

    private static (ulong First, ulong Second) WeakHashLen32WithSeeds(ReadOnlySpan<byte> s, int offset, ulong a, ulong b)
    {
        var w = Fetch64(s, offset);
        var x = Fetch64(s, offset + 8);
        var y = Fetch64(s, offset + 16);
        var z = Fetch64(s, offset + 24);
        a += w;
        b = Ror(b + a + z, 21);
        var c = a;
        a += x;
        a += y;
        b += Ror(a, 44);
        return (a + z, b + c);
    }

    private static ulong HashLongerThan64(ReadOnlySpan<byte> s)
    {
        const ulong Seed = 81;
        var length = s.Length;
        ulong vLo = 0, vHi = 0, wLo = 0, wHi = 0;
        var x = unchecked(Seed * K2) + Fetch64(s, 0);
        var y = unchecked(Seed * K1) + 113;
        var z = ShiftMix((y * K2) + 113) * K2;
        var end = (length - 1) / 64 * 64;
        var last64 = end + ((length - 1) & 63) - 63;
        var offset = 0;
        while (offset != end)
        {
            x = Ror(x + y + vLo + Fetch64(s, offset + 8), 37) * K1;
            y = Ror(y + vHi + Fetch64(s, offset + 48), 42) * K1;
            x ^= wHi;
            y += vLo + Fetch64(s, offset + 40);
            z = Ror(z + wLo, 33) * K1;
            (vLo, vHi) = WeakHashLen32WithSeeds(s, offset, vHi * K1, x + wLo);
            (wLo, wHi) = WeakHashLen32WithSeeds(s, offset + 32, z + wHi, y + Fetch64(s, offset + 16));
            (x, z) = (z, x);
            offset += 64;
        }

        var mul = K1 + ((z & 0xff) << 1);
        offset = last64;
        wLo += (ulong)(length - 1) & 63;
        vLo += wLo;
        wLo += vLo;
        x = Ror(x + y + vLo + Fetch64(s, offset + 8), 37) * mul;
        y = Ror(y + vHi + Fetch64(s, offset + 48), 42) * mul;
        x ^= wHi * 9;
        y += (vLo * 9) + Fetch64(s, offset + 40);
        z = Ror(z + wLo, 33) * mul;
        (vLo, vHi) = WeakHashLen32WithSeeds(s, offset, vHi * mul, x + wLo);
        (wLo, wHi) = WeakHashLen32WithSeeds(s, offset + 32, z + wHi, y + Fetch64(s, offset + 16));
        (x, z) = (z, x);
        return HashLen16(HashLen16(vLo, wLo, mul) + (ShiftMix(y) * K0) + z, HashLen16(vHi, wHi, mul) + x, mul);
    }
}
