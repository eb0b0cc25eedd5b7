namespace TiKV.DevCluster.Storage;

/// <summary>
/// Equality, hashing and unsigned lexicographic ordering of byte-string keys (RocksDB's bytewise comparator),
/// with a span lookup so point reads never copy the key.
/// </summary>
internal sealed class ByteKeyComparer :
    IEqualityComparer<byte[]>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>,
    IComparer<byte[]>
{
    /// <summary>The shared instance.</summary>
    public static readonly ByteKeyComparer Instance = new();

    private ByteKeyComparer()
    {
    }

    /// <summary>Unsigned lexicographic comparison; a proper prefix sorts first.</summary>
    public static int CompareKeys(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => x.SequenceCompareTo(y);

    /// <inheritdoc />
    public int Compare(byte[]? x, byte[]? y) => CompareKeys(x, y);

    /// <inheritdoc />
    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    /// <inheritdoc />
    public int GetHashCode(byte[] obj) => Hash(obj);

    /// <inheritdoc />
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc />
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    /// <inheritdoc />
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = default(HashCode);
        hash.AddBytes(key);
        return hash.ToHashCode();
    }
}
