using System.Text;

namespace TiKV.Client.Txn.Internal;

/// <summary>Input checks of the transactional API; each names the argument and the limit it broke.</summary>
internal static class TxnArguments
{
    public static byte[] Utf8(string value, string paramName) =>
        Encoding.UTF8.GetBytes(value ?? throw new ArgumentNullException(paramName));

    public static void ValidateKey(ReadOnlySpan<byte> key, TiKVClientOptions options, string paramName)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("Key must not be null or empty.", paramName);
        }

        if (key.Length > options.MaxKeySize)
        {
            throw new ArgumentException($"Key is {key.Length} bytes, over the {options.MaxKeySize}-byte limit (TiKVClientOptions.MaxKeySize).", paramName);
        }
    }

    /// <summary>Transactional values may be empty (TiKV stores them; TiDB's index entries are empty values).</summary>
    public static void ValidateValue(ReadOnlySpan<byte> value, TiKVClientOptions options, string paramName)
    {
        if (value.Length > options.MaxValueSize)
        {
            throw new ArgumentException($"Value is {value.Length} bytes, over the {options.MaxValueSize}-byte limit (TiKVClientOptions.MaxValueSize).", paramName);
        }
    }

    public static void ValidateLimit(int limit, string paramName)
    {
        if (limit < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, limit, "Limit must not be negative.");
        }
    }

    public static void ValidateRange(ReadOnlySpan<byte> lower, ReadOnlySpan<byte> upper, string paramName)
    {
        if (!upper.IsEmpty && lower.SequenceCompareTo(upper) > 0)
        {
            throw new ArgumentException(
                $"Range is inverted: {Convert.ToHexString(lower)} sorts after {Convert.ToHexString(upper)}.", paramName);
        }
    }

    public static byte[][] Keys(IEnumerable<byte[]> keys, TiKVClientOptions options, string paramName)
    {
        ArgumentNullException.ThrowIfNull(keys, paramName);
        var array = keys.ToArray();
        foreach (var key in array)
        {
            ValidateKey(key, options, paramName);
        }

        return array;
    }

    public static byte[][] Keys(IEnumerable<string> keys, string paramName)
    {
        ArgumentNullException.ThrowIfNull(keys, paramName);
        return [.. keys.Select(k => Utf8(k, paramName))];
    }
}
