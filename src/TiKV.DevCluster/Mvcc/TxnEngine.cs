using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// TiKV's transactional storage layer (storage/txn + storage/mvcc): Percolator reads, prewrite, commit,
/// rollback, lock resolution and pessimistic locking over one <see cref="IStorageEngine"/>. Thread-safe;
/// commands touching the same keys are serialized by per-key latches like TiKV's scheduler. Region checks
/// are the caller's job: responses never carry a region_error.
/// </summary>
internal sealed partial class TxnEngine : IDisposable
{
    private readonly IStorageEngine _storage;
    private readonly TimeProvider _time;

    /// <summary>Creates an engine over <paramref name="storage"/> using <paramref name="timeProvider"/> for lock waits and TTLs.</summary>
    public TxnEngine(IStorageEngine storage, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _storage = storage;
        _time = timeProvider;
    }

    /// <summary>The underlying engine.</summary>
    public IStorageEngine Storage => _storage;

    /// <summary>The largest timestamp a read has used (TiKV's concurrency manager max_ts).</summary>
    public ulong MaxTs => throw new NotSupportedException();

    /// <summary>Raises max_ts to at least <paramref name="ts"/> (e.g. for a read served elsewhere).</summary>
    public void UpdateMaxTs(ulong ts) => throw new NotSupportedException();

    /// <summary>KvGet.</summary>
    public ValueTask<GetResponse> GetAsync(GetRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvBatchGet.</summary>
    public ValueTask<BatchGetResponse> BatchGetAsync(BatchGetRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvScan over the request's range.</summary>
    public ValueTask<ScanResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvScan with the range clamped to the region [<paramref name="regionStart"/>, <paramref name="regionEnd"/>) (empty end = unbounded).</summary>
    public ValueTask<ScanResponse> ScanAsync(ScanRequest request, ReadOnlyMemory<byte> regionStart, ReadOnlyMemory<byte> regionEnd, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvPrewrite (optimistic and pessimistic, async commit, 1PC).</summary>
    public ValueTask<PrewriteResponse> PrewriteAsync(PrewriteRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvCommit.</summary>
    public ValueTask<CommitResponse> CommitAsync(CommitRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvCleanup.</summary>
    public ValueTask<CleanupResponse> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvBatchRollback.</summary>
    public ValueTask<BatchRollbackResponse> BatchRollbackAsync(BatchRollbackRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvTxnHeartBeat.</summary>
    public ValueTask<TxnHeartBeatResponse> TxnHeartBeatAsync(TxnHeartBeatRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvCheckTxnStatus.</summary>
    public ValueTask<CheckTxnStatusResponse> CheckTxnStatusAsync(CheckTxnStatusRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvCheckSecondaryLocks.</summary>
    public ValueTask<CheckSecondaryLocksResponse> CheckSecondaryLocksAsync(CheckSecondaryLocksRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvResolveLock; without keys it resolves every lock of the transactions in [<paramref name="regionStart"/>, <paramref name="regionEnd"/>).</summary>
    public ValueTask<ResolveLockResponse> ResolveLockAsync(ResolveLockRequest request, ReadOnlyMemory<byte> regionStart, ReadOnlyMemory<byte> regionEnd, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvScanLock with the range clamped to the region [<paramref name="regionStart"/>, <paramref name="regionEnd"/>).</summary>
    public ValueTask<ScanLockResponse> ScanLockAsync(ScanLockRequest request, ReadOnlyMemory<byte> regionStart, ReadOnlyMemory<byte> regionEnd, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvPessimisticLock; waits up to wait_timeout for conflicting locks and detects deadlocks.</summary>
    public ValueTask<PessimisticLockResponse> PessimisticLockAsync(PessimisticLockRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KVPessimisticRollback.</summary>
    public ValueTask<PessimisticRollbackResponse> PessimisticRollbackAsync(PessimisticRollbackRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvGC over [<paramref name="start"/>, <paramref name="end"/>): drops versions no reader at or after <paramref name="safePoint"/> can see.</summary>
    public ValueTask<GCResponse> GcAsync(ulong safePoint, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>KvDeleteRange: removes all data of every column family in the range.</summary>
    public ValueTask<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
