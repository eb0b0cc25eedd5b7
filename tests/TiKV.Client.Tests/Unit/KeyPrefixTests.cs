using System.Buffers.Binary;
using TiKV.Client.Locate.Internal;

namespace TiKV.Client.Tests.Unit;

public class KeyPrefixTests
{
    [Fact]
    public void Prefix_is_the_first_16_bytes_zero_padded_big_endian_for_every_length()
    {
        var random = new Random(1);
        for (var length = 0; length <= 20; length++)
        {
            for (var trial = 0; trial < 20; trial++)
            {
                var key = new byte[length];
                random.NextBytes(key);
                var padded = new byte[16];
                key.AsSpan(0, Math.Min(16, length)).CopyTo(padded);

                Assert.Equal(BinaryPrimitives.ReadUInt128BigEndian(padded), KeyPrefix.Of(key));
            }
        }
    }

    [Fact]
    public void A_smaller_prefix_always_means_a_smaller_key()
    {
        var random = new Random(2);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var a = new byte[random.Next(0, 20)];
            var b = new byte[random.Next(0, 20)];
            random.NextBytes(a);
            random.NextBytes(b);

            // Sharing leading bytes is what makes prefixes tie; make it common.
            if (trial % 2 == 0)
            {
                a.AsSpan(0, Math.Min(a.Length, b.Length) / 2).CopyTo(b);
            }

            if (KeyPrefix.Of(a) < KeyPrefix.Of(b))
            {
                Assert.True(a.AsSpan().SequenceCompareTo(b) < 0);
            }
        }
    }
}
