using TiKV.DevCluster.Internal.Keys;
using TiKV.DevCluster.Internal.Raw;

namespace TiKV.DevCluster.Tests.Units;

public sealed class KeyCodecTests
{
    [Theory]
    [InlineData("", "0000000000000000F7")]
    [InlineData("01", "0100000000000000F8")]
    [InlineData("0102030405060708", "0102030405060708FF0000000000000000F7")]
    [InlineData("010203040506070809", "0102030405060708FF0900000000000000F8")]
    public void Encodes_like_tikv_codec_bytes(string keyHex, string encodedHex)
    {
        var encoded = KeyCodec.Encode(Convert.FromHexString(keyHex));
        Assert.Equal(encodedHex, Convert.ToHexString(encoded));
        Assert.True(KeyCodec.TryDecode(encoded, out var decoded));
        Assert.Equal(keyHex, Convert.ToHexString(decoded));
    }

    [Fact]
    public void Encoding_preserves_order_and_decoding_rejects_garbage()
    {
        var random = new Random(3);
        var keys = Enumerable.Range(0, 500).Select(_ =>
        {
            var key = new byte[random.Next(0, 20)];
            random.NextBytes(key);
            return key;
        }).ToList();
        var byRaw = keys.Order(KeyComparer.Instance).Select(Convert.ToHexString).ToList();
        var byEncoded = keys.OrderBy(k => KeyCodec.Encode(k), KeyComparer.Instance).Select(Convert.ToHexString).ToList();
        Assert.Equal(byRaw, byEncoded);

        Assert.False(KeyCodec.TryDecode([1, 2, 3], out _));
        Assert.False(KeyCodec.TryDecode(Convert.FromHexString("0100000000000000F0"), out _));
        Assert.False(KeyCodec.TryDecode(Convert.FromHexString("0101000000000000F8"), out _));

        var withTimestamp = KeyCodec.Encode([7, 7]).Concat(new byte[8]).ToArray();
        Assert.True(KeyCodec.TryDecodePrefix(withTimestamp, out var user, out var consumed));
        Assert.Equal([7, 7], user);
        Assert.Equal(9, consumed);
    }

    [Fact]
    public void Crc64_matches_the_crc64_xz_check_value()
    {
        Assert.Equal(0x995DC9BBDF1939FAUL, Crc64.Compute("123456789"u8, []));
        Assert.Equal(Crc64.Compute("1234"u8, "56789"u8), Crc64.Compute("123456789"u8, []));
    }

    [Fact]
    public void Region_bounds_decode_to_the_smallest_raw_key_at_or_above_them()
    {
        Assert.Empty(KeyCodec.DecodeBound([]));
        Assert.Equal("abc"u8.ToArray(), KeyCodec.DecodeBound(KeyCodec.Encode("abc"u8)));
        var withTimestamp = KeyCodec.Encode("abc"u8).Concat(new byte[8]).ToArray();
        Assert.Equal("abc\0"u8.ToArray(), KeyCodec.DecodeBound(withTimestamp));
        foreach (var bound in new[] { withTimestamp, "m"u8.ToArray(), "m\0\0"u8.ToArray() })
        {
            var raw = KeyCodec.DecodeBound(bound);
            Assert.True(KeyCodec.Encode(raw).AsSpan().SequenceCompareTo(bound) >= 0);
        }
    }
}
