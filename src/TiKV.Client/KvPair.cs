using System.Text;

namespace TiKV.Client;

/// <summary>A key and its value. Equality compares the bytes.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value (empty for key-only scans).</param>
public sealed record KvPair(byte[] Key, byte[] Value)
{
    /// <summary>Creates a pair from UTF-8 strings.</summary>
    public KvPair(string key, string value)
        : this(Encoding.UTF8.GetBytes(key ?? throw new ArgumentNullException(nameof(key))), Encoding.UTF8.GetBytes(value ?? throw new ArgumentNullException(nameof(value))))
    {
    }

    /// <summary>The key decoded as UTF-8.</summary>
    public string KeyAsString() => Encoding.UTF8.GetString(Key);

    /// <summary>The value decoded as UTF-8.</summary>
    public string ValueAsString() => Encoding.UTF8.GetString(Value);

    /// <inheritdoc />
    public bool Equals(KvPair? other) =>
        other is not null && Key.AsSpan().SequenceEqual(other.Key) && Value.AsSpan().SequenceEqual(other.Value);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Key);
        hash.AddBytes(Value);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Convert.ToHexString(Key)} = {Convert.ToHexString(Value)}";
}
