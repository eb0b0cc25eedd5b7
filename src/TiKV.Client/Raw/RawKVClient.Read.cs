using System.Runtime.CompilerServices;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Raw.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class RawKVClient
{
    /// <summary>The value of <paramref name="key"/>, or null when the key does not exist.</summary>
    public ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key.Span, nameof(key));
        return GetCoreAsync(key, cancellationToken);
    }

    /// <summary>The value of the UTF-8 <paramref name="key"/>, or null when the key does not exist.</summary>
    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        GetAsync(Utf8(key, nameof(key)), cancellationToken);

    /// <summary>The pairs that exist among <paramref name="keys"/>, in key order (duplicates are read once).</summary>
    public async Task<IReadOnlyList<KvPair>> BatchGetAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        var sorted = PrepareKeys(keys, nameof(keys));
        if (sorted.Length == 0)
        {
            return [];
        }

        using var activity = ClientMetrics.ActivitySource.StartActivity("RawBatchGet");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<KvPair>(sorted.Length);
        var cf = ColumnFamily;
        await plan.BatchAsync(
            plan.NewBackoffer("RawBatchGet"),
            new ArraySegment<byte[]>(sorted),
            static k => k,
            static k => k.Length,
            batch =>
            {
                var request = new RawBatchGetRequest { Cf = cf };
                foreach (var key in batch)
                {
                    request.Keys.Add(Wrap(key));
                }

                return RawRequests.BatchGet(request);
            },
            (_, response) =>
            {
                lock (results)
                {
                    foreach (var pair in response.Pairs)
                    {
                        if (pair.Error is { } error)
                        {
                            throw new KeyException(error, $"RawBatchGet failed for key {Convert.ToHexString(pair.Key.Span)}.");
                        }

                        if (!pair.Value.IsEmpty)
                        {
                            results.Add(new KvPair(pair.Key.ToByteArray(), pair.Value.ToByteArray()));
                        }
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
        results.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return results;
    }

    /// <summary>The pairs that exist among the UTF-8 <paramref name="keys"/>, in key order.</summary>
    public Task<IReadOnlyList<KvPair>> BatchGetAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return BatchGetAsync(keys.Select(k => Utf8(k, nameof(keys))).ToArray(), cancellationToken);
    }

    /// <summary>
    /// The remaining time to live of <paramref name="key"/>: null when the key does not exist,
    /// <see cref="TimeSpan.Zero"/> when it has no TTL. Needs a TiKV with TTL enabled (storage.enable-ttl).
    /// </summary>
    public ValueTask<TimeSpan?> GetKeyTtlAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key.Span, nameof(key));
        return GetKeyTtlCoreAsync(key, cancellationToken);
    }

    /// <summary>The remaining time to live of the UTF-8 <paramref name="key"/> (see the byte overload).</summary>
    public ValueTask<TimeSpan?> GetKeyTtlAsync(string key, CancellationToken cancellationToken = default) =>
        GetKeyTtlAsync(Utf8(key, nameof(key)), cancellationToken);

    // Pooled state machine: a get that waits for the store allocates no box of its own. GetAsync's ValueTask
    // may therefore be awaited only once, as the ValueTask contract already demands.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte[]?> GetCoreAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawGet");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var request = new RawGetRequest { Key = Wrap(key), Cf = ColumnFamily };
        var response = await plan.SingleKeyAsync(key, RawRequests.Get(request), cancellationToken).ConfigureAwait(false);
        RawRequests.ThrowIfError(response.Error, "RawGet");
        return response.NotFound ? null : Detach(response.Value);
    }

    private async ValueTask<TimeSpan?> GetKeyTtlCoreAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawGetKeyTTL");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var request = new RawGetKeyTTLRequest { Key = Wrap(key), Cf = ColumnFamily };
        var response = await plan.SingleKeyAsync(key, RawRequests.GetKeyTtl(request), cancellationToken).ConfigureAwait(false);
        RawRequests.ThrowIfError(response.Error, "RawGetKeyTTL");
        return response.NotFound ? null : TimeSpan.FromSeconds(response.Ttl);
    }
}
