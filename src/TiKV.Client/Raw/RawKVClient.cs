using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace TiKV.Client;

/// <summary>
/// TiKV's raw key-value API: no transactions, no MVCC, last writer wins. Obtain it from
/// <see cref="TiKVClient.Raw"/>. Every call routes keys to their regions, batches per region, retries
/// region errors and transport failures within <see cref="TiKVClientOptions.RawOperationBudget"/>, and
/// validates its input before anything is sent. Keys and values passed as memory must not change until the
/// call completes. Instances are immutable and thread-safe; <see cref="WithColumnFamily"/> and
/// <see cref="WithAtomicForCas"/> return views sharing the same connections.
/// </summary>
public sealed partial class RawKVClient
{
    /// <summary>The largest page a single scan request asks a store for (client-go's MaxRawKVScanLimit).</summary>
    public const int MaxScanPageSize = 10_240;

    private static readonly string[] ColumnFamilies = ["", "default", "write", "lock"];

    private readonly TiKVClient _owner;

    internal RawKVClient(TiKVClient owner, string columnFamily, bool atomicForCas)
    {
        _owner = owner;
        ColumnFamily = columnFamily;
        AtomicForCas = atomicForCas;
    }

    /// <summary>The column family requests use; empty means "default".</summary>
    public string ColumnFamily { get; }

    /// <summary>Whether puts and deletes are sent with <c>for_cas</c> so they serialise with CompareAndSwap.</summary>
    public bool AtomicForCas { get; }

    private TiKVClientOptions Options => _owner.Options;

    /// <summary>A view of this client that reads and writes the given column family ("default", "write" or "lock").</summary>
    public RawKVClient WithColumnFamily(string columnFamily)
    {
        ArgumentNullException.ThrowIfNull(columnFamily);
        if (!ColumnFamilies.Contains(columnFamily, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Unknown column family \"{columnFamily}\"; TiKV's raw API accepts \"default\", \"write\" and \"lock\".", nameof(columnFamily));
        }

        return new RawKVClient(_owner, columnFamily, AtomicForCas);
    }

    /// <summary>
    /// A view of this client with atomic-for-CAS mode on or off (client-go's SetAtomicForCAS). In this mode
    /// puts and deletes take the same per-key latch in TiKV as CompareAndSwap, which CAS needs to be atomic.
    /// </summary>
    public RawKVClient WithAtomicForCas(bool enabled = true) => new(_owner, ColumnFamily, enabled);

    private static ByteString Wrap(ReadOnlyMemory<byte> bytes) => UnsafeByteOperations.UnsafeWrap(bytes);

    /// <summary>
    /// The bytes of a value in a response the client parsed and is about to drop. Parsing gives every bytes field
    /// its own exactly-sized array that nothing else references, so that array is handed out instead of a copy;
    /// anything else (a slice of a larger buffer) is copied.
    /// </summary>
    private static byte[] Detach(ByteString value) =>
        MemoryMarshal.TryGetArray(value.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length && segment.Count > 0
            ? segment.Array
            : value.ToByteArray();

    private static byte[] Utf8(string value, string paramName) =>
        Encoding.UTF8.GetBytes(value ?? throw new ArgumentNullException(paramName));

    private void ValidateKey(ReadOnlySpan<byte> key, string paramName)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("Key must not be null or empty.", paramName);
        }

        if (key.Length > Options.MaxKeySize)
        {
            throw new ArgumentException($"Key is {key.Length} bytes, over the {Options.MaxKeySize}-byte limit (TiKVClientOptions.MaxKeySize).", paramName);
        }
    }

    private void ValidateValue(ReadOnlySpan<byte> value, string paramName)
    {
        if (value.IsEmpty)
        {
            throw new ArgumentException("Value must not be null or empty: TiKV's raw API does not store empty values.", paramName);
        }

        if (value.Length > Options.MaxValueSize)
        {
            throw new ArgumentException($"Value is {value.Length} bytes, over the {Options.MaxValueSize}-byte limit (TiKVClientOptions.MaxValueSize).", paramName);
        }
    }

    /// <summary>TiKV takes TTLs in whole seconds; a positive fraction rounds up so the key does not live forever (0 = no TTL).</summary>
    private static ulong TtlSeconds(TimeSpan? ttl, string paramName)
    {
        if (ttl is not { } value)
        {
            return 0;
        }

        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "TTL must be positive; pass null for no TTL.");
        }

        return (ulong)Math.Ceiling(value.TotalSeconds);
    }

    private static void ValidateLimit(int limit, string paramName)
    {
        if (limit < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, limit, "Limit must not be negative.");
        }
    }

    private static void ValidateRange(ReadOnlySpan<byte> startKey, ReadOnlySpan<byte> endKey, string paramName)
    {
        if (!endKey.IsEmpty && startKey.SequenceCompareTo(endKey) > 0)
        {
            throw new ArgumentException(
                $"Range is inverted: start key {Convert.ToHexString(startKey)} sorts after end key {Convert.ToHexString(endKey)}.", paramName);
        }
    }

    /// <summary>Validates, copies, sorts and de-duplicates a batch of keys.</summary>
    private byte[][] PrepareKeys(IEnumerable<byte[]> keys, string paramName)
    {
        ArgumentNullException.ThrowIfNull(keys, paramName);
        var array = keys.ToArray();
        foreach (var key in array)
        {
            ValidateKey(key, paramName);
        }

        Array.Sort(array, Internal.ByteArrayComparer.Instance);
        var unique = 0;
        for (var i = 0; i < array.Length; i++)
        {
            if (unique == 0 || !array[i].AsSpan().SequenceEqual(array[unique - 1]))
            {
                array[unique++] = array[i];
            }
        }

        return array[..unique];
    }
}
