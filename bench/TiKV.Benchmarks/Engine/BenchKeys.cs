using System.Buffers.Binary;
using System.Text;

namespace TiKV.Benchmarks.Engine;

/// <summary>Deterministic keys and values shaped like a typical raw-mode workload.</summary>
public static class BenchKeys
{
    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("bench_key_");

    /// <summary>"bench_key_" followed by the big-endian index, so keys sort in index order.</summary>
    public static byte[] Key(long index)
    {
        var key = new byte[Prefix.Length + 8];
        Prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(Prefix.Length), index);
        return key;
    }

    public static byte[][] Keys(int count)
    {
        var keys = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            keys[i] = Key(i);
        }

        return keys;
    }

    public static byte[] Value(int size, long seed)
    {
        var value = new byte[size];
        new Random(unchecked((int)seed)).NextBytes(value);
        return value;
    }
}
