using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// TiKV's transactional storage layer (storage/txn + storage/mvcc): Percolator reads, prewrite, commit,
/// rollback, lock resolution and pessimistic locking over one <see cref="IStorageEngine"/>. Thread-safe;
/// write commands touching the same keys are serialized by latches like TiKV's scheduler, and hold them until
/// their writes are applied. Region checks are the caller's job: responses never carry a region_error.
/// Keys in requests are raw kvrpcpb keys; storage keys are TiKV-encoded (see <see cref="MvccKey"/>).
/// </summary>
internal sealed partial class TxnEngine : IDisposable
{
    private readonly IStorageEngine _storage;
    private readonly TimeProvider _time;
    private readonly TxnEngineOptions _options;
    private readonly Latches _latches;
    private readonly ConcurrencyManager _concurrency = new();
    private readonly LockWaitManager _lockWaits;
    private readonly MvccReader _reader;

    /// <summary>Creates an engine over <paramref name="storage"/>; <paramref name="timeProvider"/> drives lock-wait timeouts.</summary>
    public TxnEngine(IStorageEngine storage, TimeProvider timeProvider, TxnEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _storage = storage;
        _time = timeProvider;
        _options = options ?? new TxnEngineOptions();
        _latches = new Latches(_options.LatchSlots);
        _lockWaits = new LockWaitManager(timeProvider, _options.WakeUpDelay);
        _reader = new MvccReader(storage);
    }

    /// <summary>The underlying engine.</summary>
    public IStorageEngine Storage => _storage;

    /// <summary>The largest timestamp a read has used (TiKV's concurrency manager max_ts).</summary>
    public ulong MaxTs => _concurrency.MaxTs;

    /// <summary>Number of pessimistic lock requests currently waiting.</summary>
    public int WaitingLockRequests => _lockWaits.WaitingCount;

    /// <summary>Raises max_ts to at least <paramref name="ts"/>.</summary>
    public void UpdateMaxTs(ulong ts) => _concurrency.UpdateMaxTs(ts);

    /// <summary>Approximate entries and bytes of transactional data for raw keys in [start, end) (empty end = unbounded).</summary>
    public StorageRangeStats EstimateRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
        => _storage.EstimateRange(MvccKey.Encode(start), end.IsEmpty ? ReadOnlyMemory<byte>.Empty : MvccKey.Encode(end));

    /// <summary>Ends every pending lock wait (as a timeout); the engine does not own the storage.</summary>
    public void Dispose() => _lockWaits.AbandonAll();

    /// <summary>The physical (millisecond) part of a TSO timestamp.</summary>
    internal static ulong Physical(ulong ts) => ts >> 18;

    private static byte[] EncodeBound(ReadOnlySpan<byte> raw) => raw.IsEmpty ? [] : MvccKey.Encode(raw);

    /// <summary>Applies a command's writes, then withdraws its memory locks and wakes waiters of released locks.</summary>
    private async ValueTask ApplyAsync(MvccTxn txn)
    {
        try
        {
            if (!txn.IsEmpty)
            {
                // Not cancellable: once a command decided, its writes must land as one batch or not at all.
                await _storage.WriteAsync(txn.Batch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            ReleaseMemoryLocks(txn);
        }

        _lockWaits.WakeUp(txn);
    }

    private void ReleaseMemoryLocks(MvccTxn txn)
    {
        if (txn.MemoryLocks is { } memoryLocks)
        {
            foreach (var memoryLock in memoryLocks)
            {
                _concurrency.Unlock(memoryLock);
            }

            memoryLocks.Clear();
        }
    }

    private ValueTask<LatchGuard> LatchAsync(byte[] encodedKey, CancellationToken cancellationToken)
        => _latches.AcquireAsync(_latches.SlotOf(encodedKey), cancellationToken);

    private ValueTask<LatchGuard> LatchAsync(byte[][] encodedKeys, CancellationToken cancellationToken)
        => encodedKeys.Length == 1
            ? _latches.AcquireAsync(_latches.SlotOf(encodedKeys[0]), cancellationToken)
            : _latches.AcquireAsync(_latches.SlotsOf(encodedKeys), cancellationToken);
}
