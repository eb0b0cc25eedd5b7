using System.Runtime.CompilerServices;
using TiKV.Client.Internal;
using TiKV.Client.Txn.Internal;

namespace TiKV.Client;

public sealed partial class Transaction
{
    /// <summary>
    /// The value of <paramref name="key"/> as this transaction sees it: its own pending write if any, otherwise the
    /// snapshot at <see cref="StartTimestamp"/>. In pessimistic mode a key this transaction has locked reads as the
    /// latest committed value seen when the lock was taken. Null when the key does not exist.
    /// </summary>
    public ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        TxnArguments.ValidateKey(key.Span, ClientOptions, nameof(key));
        var bytes = key.ToArray();
        if (_buffer.TryGet(bytes, out var entry) && entry.TryRead(out var value))
        {
            return ValueTask.FromResult(value);
        }

        return new ValueTask<byte[]?>(_snapshot.GetCoreAsync(bytes, cancellationToken));
    }

    /// <summary>The value of the UTF-8 <paramref name="key"/> (see the byte overload).</summary>
    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        GetAsync(TxnArguments.Utf8(key, nameof(key)), cancellationToken);

    /// <summary>The pairs that exist among <paramref name="keys"/> as this transaction sees them, in key order.</summary>
    public async Task<IReadOnlyList<KvPair>> BatchGetAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        var array = TxnArguments.Keys(keys, ClientOptions, nameof(keys));
        var results = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var missing = new List<TxnKey>();
        foreach (var key in TxnKey.SortedDistinct(array))
        {
            if (_buffer.TryGet(key.Raw, out var entry) && entry.TryRead(out var value))
            {
                if (value is not null)
                {
                    results[key.Raw] = value;
                }
            }
            else
            {
                missing.Add(key);
            }
        }

        foreach (var (key, value) in await _snapshot.BatchGetCoreAsync([.. missing], cancellationToken).ConfigureAwait(false))
        {
            results[key] = value;
        }

        return [.. results.Select(p => new KvPair(p.Key, p.Value))];
    }

    /// <summary>The pairs that exist among the UTF-8 <paramref name="keys"/>, in key order.</summary>
    public Task<IReadOnlyList<KvPair>> BatchGetAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        BatchGetAsync(TxnArguments.Keys(keys, nameof(keys)), cancellationToken);

    /// <summary>
    /// Streams the pairs in <c>[startKey, endKey)</c> in ascending key order as this transaction sees them: the
    /// snapshot at <see cref="StartTimestamp"/> with the transaction's pending writes merged over it. At most
    /// <paramref name="limit"/> pairs; an empty <paramref name="endKey"/> runs to the end of the key space.
    /// </summary>
    public IAsyncEnumerable<KvPair> ScanAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey = default, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        TxnArguments.ValidateRange(startKey.Span, endKey.Span, nameof(startKey));
        TxnArguments.ValidateLimit(limit, nameof(limit));
        return MergeAsync(startKey.ToArray(), endKey.ToArray(), limit, reverse: false, cancellationToken);
    }

    /// <summary>Streams the pairs in the UTF-8 range <c>[startKey, endKey)</c> (null endKey = no end).</summary>
    public IAsyncEnumerable<KvPair> ScanAsync(string startKey, string? endKey = null, int limit = int.MaxValue, CancellationToken cancellationToken = default) =>
        ScanAsync(TxnArguments.Utf8(startKey, nameof(startKey)), endKey is null ? default : TxnArguments.Utf8(endKey, nameof(endKey)), limit, cancellationToken);

    /// <summary>
    /// Streams pairs in descending key order (TiKV's reverse-scan bounds: <paramref name="startKey"/> exclusive upper
    /// bound, required; <paramref name="endKey"/> inclusive lower bound), merging pending writes over the snapshot.
    /// </summary>
    public IAsyncEnumerable<KvPair> ReverseScanAsync(ReadOnlyMemory<byte> startKey, ReadOnlyMemory<byte> endKey = default, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        if (startKey.IsEmpty)
        {
            throw new ArgumentException("Reverse scans need an upper bound: startKey (exclusive) must not be empty.", nameof(startKey));
        }

        TxnArguments.ValidateRange(endKey.Span, startKey.Span, nameof(startKey));
        TxnArguments.ValidateLimit(limit, nameof(limit));
        return MergeAsync(startKey.ToArray(), endKey.ToArray(), limit, reverse: true, cancellationToken);
    }

    /// <summary>Reverse scan over UTF-8 bounds (null endKey = from the beginning).</summary>
    public IAsyncEnumerable<KvPair> ReverseScanAsync(string startKey, string? endKey = null, int limit = int.MaxValue, CancellationToken cancellationToken = default) =>
        ReverseScanAsync(TxnArguments.Utf8(startKey, nameof(startKey)), endKey is null ? default : TxnArguments.Utf8(endKey, nameof(endKey)), limit, cancellationToken);

    /// <summary>
    /// Merges the buffered entries of the range (taken when the scan starts) with the snapshot's stream, key by key:
    /// a buffered write or locked value decides its key, a buffered key the buffer does not decide shows the snapshot.
    /// </summary>
    private async IAsyncEnumerable<KvPair> MergeAsync(byte[] first, byte[] second, int limit, bool reverse, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (limit == 0)
        {
            yield break;
        }

        var buffered = reverse ? _buffer.Range(second, first, descending: true) : _buffer.Range(first, second, descending: false);
        var index = 0;
        var remaining = limit;
        var snapshot = _snapshot.ScanCoreAsync(first, second, int.MaxValue, reverse, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (snapshot.ConfigureAwait(false))
        {
            KvPair? current = null;
            var exhausted = false;
            while (remaining > 0)
            {
                if (current is null && !exhausted)
                {
                    if (await snapshot.MoveNextAsync().ConfigureAwait(false))
                    {
                        current = snapshot.Current;
                    }
                    else
                    {
                        exhausted = true;
                    }
                }

                if (current is null && index >= buffered.Count)
                {
                    yield break;
                }

                int order;
                if (current is null)
                {
                    order = -1;
                }
                else if (index >= buffered.Count)
                {
                    order = 1;
                }
                else
                {
                    order = buffered[index].Key.AsSpan().SequenceCompareTo(current.Key);
                    order = reverse ? -order : order;
                }

                if (order > 0)
                {
                    remaining--;
                    yield return current!;
                    current = null;
                    continue;
                }

                var (key, entry) = buffered[index++];
                var fromSnapshot = order == 0 ? current : null;
                if (order == 0)
                {
                    current = null;
                }

                if (entry.TryRead(out var value))
                {
                    if (value is not null)
                    {
                        remaining--;
                        yield return new KvPair(key, value);
                    }
                }
                else if (fromSnapshot is not null)
                {
                    remaining--;
                    yield return fromSnapshot;
                }
            }
        }
    }
}
