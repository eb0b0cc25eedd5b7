using Google.Protobuf;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Internal;
using TiKV.Client.Retry.Internal;
using TiKV.Client.Txn.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

/// <summary>
/// A consistent, read-only view of the transactional key space at one timestamp (Percolator snapshot isolation):
/// every read sees exactly the transactions committed before <see cref="Timestamp"/>. Obtain one with
/// <see cref="TiKVClient.GetSnapshot"/>; every <see cref="Transaction"/> reads through one at its start_ts. A read
/// that meets the lock of an unfinished transaction resolves it (commits or rolls back an abandoned transaction,
/// pushes a live one's min_commit_ts past the snapshot, or waits for it), within a 20 s backoff budget per call.
/// Thread-safe.
/// </summary>
public sealed partial class Snapshot
{
    private readonly TiKVClient _owner;

    internal Snapshot(TiKVClient owner, ulong timestamp)
    {
        _owner = owner;
        Timestamp = timestamp;
    }

    /// <summary>The timestamp the snapshot reads at.</summary>
    public ulong Timestamp { get; }

    /// <summary>The transactions whose locks the snapshot's reads may ignore or read through (sent with every read).</summary>
    internal ReadLocks Locks { get; } = new();

    private TiKVClientOptions Options => _owner.Options;

    /// <summary>The value of <paramref name="key"/> at the snapshot, or null when it does not exist.</summary>
    public async ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        TxnArguments.ValidateKey(key.Span, Options, nameof(key));
        return await GetCoreAsync(key.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value of the UTF-8 <paramref name="key"/> at the snapshot, or null when it does not exist.</summary>
    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        GetAsync(TxnArguments.Utf8(key, nameof(key)), cancellationToken);

    /// <summary>The pairs that exist among <paramref name="keys"/> at the snapshot, in key order (duplicates read once).</summary>
    public async Task<IReadOnlyList<KvPair>> BatchGetAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        var array = TxnArguments.Keys(keys, Options, nameof(keys));
        var found = await BatchGetCoreAsync(TxnKey.SortedDistinct(array), cancellationToken).ConfigureAwait(false);
        return [.. found.Select(p => new KvPair(p.Key, p.Value))];
    }

    /// <summary>The pairs that exist among the UTF-8 <paramref name="keys"/>, in key order.</summary>
    public Task<IReadOnlyList<KvPair>> BatchGetAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        BatchGetAsync(TxnArguments.Keys(keys, nameof(keys)), cancellationToken);

    internal async Task<byte[]?> GetCoreAsync(byte[] key, CancellationToken cancellationToken)
    {
        var txn = await _owner.GetTxnCoreAsync(cancellationToken).ConfigureAwait(false);
        using var activity = ClientMetrics.ActivitySource.StartActivity("KvGet");
        var backoffer = txn.NewBackoffer("KvGet", TxnBudgets.Read);
        while (true)
        {
            var response = await txn.SendToKeyAsync(
                backoffer,
                key,
                () => TxnRequests.Get(new GetRequest { Key = ByteString.CopyFrom(key), Version = Timestamp }, Locks),
                cancellationToken).ConfigureAwait(false);
            if (response.Error is { } error)
            {
                await ResolveForReadAsync(txn, backoffer, [LockOf(error, "KvGet")], cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response.NotFound ? null : response.Value.ToByteArray();
        }
    }

    /// <summary>The existing pairs among sorted distinct keys, in key order.</summary>
    internal async Task<SortedDictionary<byte[], byte[]>> BatchGetCoreAsync(TxnKey[] keys, CancellationToken cancellationToken)
    {
        var results = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        if (keys.Length == 0)
        {
            return results;
        }

        var txn = await _owner.GetTxnCoreAsync(cancellationToken).ConfigureAwait(false);
        using var activity = ClientMetrics.ActivitySource.StartActivity("KvBatchGet");
        var backoffer = txn.NewBackoffer("KvBatchGet", TxnBudgets.Read);
        await txn.Plan.SendAllAsync(
            backoffer,
            keys,
            TxnKey.Shape,
            batch =>
            {
                var request = new BatchGetRequest { Version = Timestamp };
                request.Keys.AddRange(batch.Select(k => ByteString.CopyFrom(k.Raw)));
                return TxnRequests.BatchGet(request, Locks);
            },
            async (_, response) =>
            {
                var locks = new List<TxnLock>();
                if (response.Error is { } error)
                {
                    locks.Add(LockOf(error, "KvBatchGet"));
                }
                else
                {
                    foreach (var pair in response.Pairs)
                    {
                        if (pair.Error is { } pairError)
                        {
                            locks.Add(LockOf(pairError, "KvBatchGet"));
                            continue;
                        }

                        lock (results)
                        {
                            results[pair.Key.ToByteArray()] = pair.Value.ToByteArray();
                        }
                    }
                }

                if (locks.Count == 0)
                {
                    return false;
                }

                await ResolveForReadAsync(txn, backoffer, locks, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Resolves the locks a read met and remembers which transactions the snapshot may pass from now on; when a lock
    /// belongs to a live transaction that could still commit below the snapshot, waits (txnLock backoff, at most until
    /// the lock expires) before the read is repeated.
    /// </summary>
    private async Task ResolveForReadAsync(TxnCore txn, Backoffer backoffer, List<TxnLock> locks, CancellationToken cancellationToken)
    {
        var result = await txn.LockResolver.ResolveAsync(backoffer, Timestamp, locks, forRead: true, cancellationToken).ConfigureAwait(false);
        Locks.Add(result);
        if (result.MsBeforeExpired > 0)
        {
            var cause = new TiKVException($"Read at {Timestamp} is blocked by the {locks[0]}", isRetryable: true);
            await backoffer.BackoffAsync(BackoffKind.TxnLock, cause, null, null, TimeSpan.FromMilliseconds(result.MsBeforeExpired), cancellationToken).ConfigureAwait(false);
        }
    }

    private static TxnLock LockOf(KeyError error, string operation) =>
        error.Locked is { } locked ? TxnLock.From(locked) : throw TxnErrors.FromKeyError(error, operation);
}
