using TiKV.Client.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Proto.Pdpb;

namespace TiKV.Client.Tests.Unit;

public class CodecTests
{
    [Fact]
    public void Empty_key_encodes_to_one_padded_group()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xF7 }, MemComparableCodec.Encode([]));
    }

    [Fact]
    public void Known_vectors_match_tikv_encode_bytes()
    {
        Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0, 0, 0, 0xFA }, MemComparableCodec.Encode([1, 2, 3]));
        Assert.Equal(
            new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0xF7 },
            MemComparableCodec.Encode([1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.Equal(
            new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 9, 0, 0, 0, 0, 0, 0, 0, 0xF8 },
            MemComparableCodec.Encode([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    }

    [Fact]
    public void Encoding_preserves_order_and_round_trips()
    {
        var random = new Random(3);
        var keys = Enumerable.Range(0, 500).Select(_ =>
        {
            var key = new byte[random.Next(0, 20)];
            random.NextBytes(key);
            if (key.Length > 0 && random.Next(3) == 0)
            {
                key[^1] = 0;
            }

            return key;
        }).ToList();
        keys.Add([0]);
        keys.Add([0, 0]);
        keys.Add([]);
        foreach (var a in keys)
        {
            var encoded = MemComparableCodec.Encode(a);
            var (decoded, consumed) = MemComparableCodec.Decode(encoded);
            Assert.Equal(a, decoded);
            Assert.Equal(encoded.Length, consumed);
        }

        for (var i = 0; i + 1 < keys.Count; i++)
        {
            var expected = Math.Sign(keys[i].AsSpan().SequenceCompareTo(keys[i + 1]));
            var actual = Math.Sign(MemComparableCodec.Encode(keys[i]).AsSpan().SequenceCompareTo(MemComparableCodec.Encode(keys[i + 1])));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Decode_rejects_truncated_and_corrupt_input()
    {
        Assert.Throws<FormatException>(() => MemComparableCodec.Decode(new byte[] { 1, 2, 3 }));
        Assert.Throws<FormatException>(() => MemComparableCodec.Decode(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0x10 }));
        Assert.Throws<FormatException>(() => MemComparableCodec.Decode(new byte[] { 1, 2, 0, 0, 0, 0, 0, 9, 0xF9 }));
    }

    [Fact]
    public void Tso_batch_hands_out_consecutive_logicals_ending_at_the_returned_one()
    {
        var last = new Timestamp { Physical = 1_700_000_000_000, Logical = 10 };
        var stamps = Enumerable.Range(0, 3).Select(i => TsoMath.ForCaller(last, 3, i)).ToArray();
        Assert.Equal(new long[] { 8, 9, 10 }, stamps.Select(TsoMath.Logical).ToArray());
        Assert.All(stamps, s => Assert.Equal(1_700_000_000_000, TsoMath.PhysicalMs(s)));
        Assert.Equal((1_700_000_000_000UL << 18) | 8, stamps[0]);
        Assert.Throws<PdException>(() => TsoMath.ForCaller(new Timestamp { Physical = 1, Logical = 1 }, 5, 0));
    }

    [Fact]
    public void KvPair_equality_compares_bytes()
    {
        Assert.Equal(new KvPair("a", "b"), new KvPair([97], [98]));
        Assert.NotEqual(new KvPair("a", "b"), new KvPair("a", "c"));
        Assert.Equal(new KvPair("a", "b").GetHashCode(), new KvPair("a", "b").GetHashCode());
        Assert.Equal("a", new KvPair("a", "b").KeyAsString());
    }
}
