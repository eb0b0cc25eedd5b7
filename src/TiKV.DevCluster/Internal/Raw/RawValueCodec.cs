using System.Buffers.Binary;

namespace TiKV.DevCluster.Internal.Raw;

/// <summary>
/// The stored form of a raw value under TiKV's API V1TTL: the user value followed by an 8-byte big-endian expiry
/// in Unix seconds, 0 meaning no expiry. Expired values are invisible to every read.
/// </summary>
internal static class RawValueCodec
{
    private const int SuffixLength = sizeof(ulong);

    /// <summary>The expiry TiKV computes for a TTL in seconds (<c>ttl_to_expire_ts</c>): 0 for no TTL.</summary>
    public static ulong ExpiryFor(ulong ttlSeconds, ulong nowUnixSeconds) =>
        ttlSeconds == 0 ? 0 : (ulong.MaxValue - nowUnixSeconds < ttlSeconds ? ulong.MaxValue : nowUnixSeconds + ttlSeconds);

    /// <summary>Encodes a value with its expiry.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value, ulong expireAt)
    {
        var result = new byte[value.Length + SuffixLength];
        value.CopyTo(result);
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(value.Length), expireAt);
        return result;
    }

    /// <summary>The expiry of a stored value (0 = none).</summary>
    public static ulong ExpiryOf(ReadOnlySpan<byte> stored) =>
        stored.Length < SuffixLength ? 0 : BinaryPrimitives.ReadUInt64BigEndian(stored[^SuffixLength..]);

    /// <summary>The user value of a stored value.</summary>
    public static byte[] UserValue(ReadOnlySpan<byte> stored) =>
        stored.Length < SuffixLength ? [] : stored[..^SuffixLength].ToArray();

    /// <summary>The user value of a stored value, as a view of it.</summary>
    public static ReadOnlyMemory<byte> UserValueMemory(byte[] stored) =>
        stored.Length < SuffixLength ? ReadOnlyMemory<byte>.Empty : stored.AsMemory(0, stored.Length - SuffixLength);

    /// <summary>Whether a stored value has expired at <paramref name="nowUnixSeconds"/>.</summary>
    public static bool IsExpired(ReadOnlySpan<byte> stored, ulong nowUnixSeconds)
    {
        var expireAt = ExpiryOf(stored);
        return expireAt != 0 && expireAt <= nowUnixSeconds;
    }
}
