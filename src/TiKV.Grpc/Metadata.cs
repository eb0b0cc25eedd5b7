using System.Collections;
using TiKV.Grpc.Internal;

namespace TiKV.Grpc;

/// <summary>
/// gRPC metadata: ordered key/value pairs carried in HTTP/2 headers or trailers. Keys are lower-case ASCII;
/// keys ending in <c>-bin</c> carry binary values (base64 on the wire), all other values are printable ASCII.
/// </summary>
public sealed class Metadata : IEnumerable<KeyValuePair<string, string>>
{
    /// <summary>The suffix that marks a binary-valued key.</summary>
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds an ASCII entry. The key is lower-cased; it must not end in <c>-bin</c>.</summary>
    /// <exception cref="ArgumentException">The key or value is not valid gRPC metadata.</exception>
    public void Add(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string normalized = NormalizeKey(key);
        if (IsBinaryKey(normalized))
        {
            throw new ArgumentException($"Metadata key '{normalized}' ends in '-bin' and takes a byte[] value.", nameof(key));
        }

        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException(
                    $"Metadata value for '{normalized}' contains character U+{(int)c:X4}; ASCII values must be printable (use a '-bin' key for binary data).",
                    nameof(value));
            }
        }

        _entries.Add(new Entry(normalized, value, null));
    }

    /// <summary>Adds a binary entry. The key is lower-cased; it must end in <c>-bin</c>.</summary>
    /// <exception cref="ArgumentException">The key is not a valid binary metadata key.</exception>
    public void Add(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string normalized = NormalizeKey(key);
        if (!IsBinaryKey(normalized))
        {
            throw new ArgumentException($"Metadata key '{normalized}' must end in '-bin' to carry a binary value.", nameof(key));
        }

        _entries.Add(new Entry(normalized, null, value));
    }

    /// <summary>
    /// The last value for <paramref name="key"/>, or <see langword="null"/>. For binary keys this is the base64 text.
    /// </summary>
    public string? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i].Text;
            }
        }

        return null;
    }

    /// <summary>The last binary value for a <c>-bin</c> <paramref name="key"/>, or <see langword="null"/>.</summary>
    public byte[]? GetBytes(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i].Bytes;
            }
        }

        return null;
    }

    /// <summary>Enumerates entries in order; binary values appear as base64 text.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (Entry entry in _entries)
        {
            yield return new KeyValuePair<string, string>(entry.Key, entry.Text);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _entries.Select(e => $"{e.Key}={e.Text}"));

    internal IReadOnlyList<Entry> Entries => _entries;

    /// <summary>Adds an entry received from the wire, where binary values arrive base64-encoded.</summary>
    internal void AddFromWire(string key, string value)
    {
        string normalized = key.ToLowerInvariant();
        if (IsBinaryKey(normalized))
        {
            byte[]? bytes = Base64Metadata.TryDecode(value);
            if (bytes is not null)
            {
                _entries.Add(new Entry(normalized, null, bytes));
            }

            return;
        }

        _entries.Add(new Entry(normalized, value, null));
    }

    /// <summary>Appends <paramref name="second"/> to <paramref name="first"/>; either may be null.</summary>
    internal static Metadata? Merge(Metadata? first, Metadata? second)
    {
        if (first is null || first.Count == 0)
        {
            return second;
        }

        if (second is not null && !ReferenceEquals(first, second))
        {
            first._entries.AddRange(second._entries);
        }

        return first;
    }

    internal static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.Ordinal);

    private static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        string lower = key.ToLowerInvariant();
        foreach (char c in lower)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                throw new ArgumentException($"Metadata key '{key}' contains '{c}'; keys allow only a-z, 0-9, '-', '_' and '.'.", nameof(key));
            }
        }

        if (lower.StartsWith("grpc-", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Metadata key '{key}' is reserved: the 'grpc-' prefix belongs to the protocol.", nameof(key));
        }

        return lower;
    }

    /// <summary>One metadata entry: exactly one of <see cref="Value"/> and <see cref="Bytes"/> is set.</summary>
    internal readonly record struct Entry(string Key, string? Value, byte[]? Bytes)
    {
        public bool IsBinary => Bytes is not null;

        public string Text => Value ?? Convert.ToBase64String(Bytes!);
    }
}
