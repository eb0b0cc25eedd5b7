using System.Text;
using TiKV.DevCluster.Mvcc;

namespace TiKV.DevCluster.Tests.Mvcc;

public sealed class KeyEncodingTests
{
    [Theory]
    [InlineData("", "0000000000000000F7")]
    [InlineData("01020304", "0102030400000000FB")]
    [InlineData("0102030405060708", "0102030405060708FF0000000000000000F7")]
    [InlineData("010203040506070809", "0102030405060708FF0900000000000000F8")]
    public void Encoding_matches_tikv_memcomparable_bytes(string rawHex, string encodedHex)
    {
        var raw = Convert.FromHexString(rawHex);
        Assert.Equal(encodedHex, Convert.ToHexString(MvccKey.Encode(raw)));
        Assert.Equal(raw, MvccKey.Decode(Convert.FromHexString(encodedHex)));
    }

    [Fact]
    public void Encoding_preserves_order_and_versions_sort_newest_first_within_a_key()
    {
        var random = new Random(42);
        var keys = Enumerable.Range(0, 500).Select(_ =>
        {
            var key = new byte[random.Next(0, 20)];
            random.NextBytes(key);
            if (random.Next(4) == 0)
            {
                Array.Fill(key, (byte)0xFF);
            }

            return key;
        }).DistinctBy(Convert.ToHexString).ToList();

        var byRaw = keys.OrderBy(k => k, TiKV.DevCluster.Storage.ByteKeyComparer.Instance).Select(Convert.ToHexString).ToList();
        var versions = keys.SelectMany(k => new[] { MvccKey.EncodeWithTs(k, 5), MvccKey.EncodeWithTs(k, 9) }).ToList();
        versions.Sort(TiKV.DevCluster.Storage.ByteKeyComparer.Instance);
        var grouped = versions.Select(v => (Raw: Convert.ToHexString(MvccKey.Decode(MvccKey.UserKeyOf(v))), Ts: MvccKey.DecodeTs(v))).ToList();

        Assert.Equal(byRaw.SelectMany(k => new[] { (k, 9UL), (k, 5UL) }), grouped);
    }

    [Fact]
    public void Invalid_encodings_are_rejected()
    {
        Assert.Throws<FormatException>(() => MvccKey.Decode([1, 2, 3]));
        Assert.Throws<FormatException>(() => MvccKey.Decode(Convert.FromHexString("000000000000000000")));
        Assert.Throws<FormatException>(() => MvccKey.Decode(Convert.FromHexString("0000000000000000F70000000000000000F7")));
    }

    [Theory]
    [InlineData("", 0x9ae16a3b2f90404fUL)]
    [InlineData("a", 0xb3454265b6df75e3UL)]
    [InlineData("abcd", 0x1a5502de4a1f8101UL)]
    [InlineData("abcdefgh", 0xfee9d22990c82909UL)]
    [InlineData("0123456789=012345", 0x46a7416ed4861e3bUL)]
    [InlineData("C is as portable as Stonehedge!!", 0xb944f8a16261e414UL)]
    [InlineData("Discard medicine more than two years old.", 0xe8f89ab6df9bdd25UL)]
    [InlineData("How can you write a big system without C++?  -Paul Glick", 0x5a0a6efd52e84e2aUL)]
    [InlineData("For every action there is an equal and opposite government program.", 0x55182f8859eca4ceUL)]
    [InlineData("The fugacity of a constituent in a mixture of gases at a given temperature is proportional to its mole fraction.  Lewis-Randall Rule", 0x098eff6958c5e91aUL)]
    public void Key_hash_is_farmhash_fingerprint64(string input, ulong expected)
        => Assert.Equal(expected, KeyHash.Fingerprint64(Encoding.UTF8.GetBytes(input)));
}
