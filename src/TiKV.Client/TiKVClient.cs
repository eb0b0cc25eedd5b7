using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.Client.Txn.Internal;

namespace TiKV.Client;

/// <summary>
/// Entry point to a TiKV cluster. One instance per cluster per process: it owns the PD connection, the
/// region and store caches and the per-store connection pools, and is safe to share between threads.
/// Dispose it (asynchronously) to shut down gracefully: requests in flight get
/// <see cref="TiKVClientOptions.ShutdownTimeout"/> to finish before connections close.
/// </summary>
public sealed class TiKVClient : IAsyncDisposable
{
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Func<TiKVClientOptions, ILoggerFactory, CancellationToken, Task<ClientCore>> _coreFactory;
    private ClientCore? _core;
    private RequestPlan? _plan;
    private TxnCore? _txn;
    private int _disposed;

    private TiKVClient(TiKVClientOptions options, ILoggerFactory? loggerFactory)
        : this(options, loggerFactory, CreateCoreAsync)
    {
    }

    /// <summary>Builds a client over custom machinery (tests substitute PD and the stores).</summary>
    internal TiKVClient(TiKVClientOptions options, ILoggerFactory? loggerFactory, Func<TiKVClientOptions, ILoggerFactory, CancellationToken, Task<ClientCore>> coreFactory)
    {
        _coreFactory = coreFactory;
        ArgumentNullException.ThrowIfNull(options);
        options.Freeze();
        Options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("TiKV.Client");
        Raw = new RawKVClient(this, options.ColumnFamily, options.AtomicForCas);
    }

    /// <summary>The (frozen) options the client was built with.</summary>
    public TiKVClientOptions Options { get; }

    /// <summary>The raw (non-transactional) key-value API.</summary>
    public RawKVClient Raw { get; }

    /// <summary>The id of the cluster the client is connected to; 0 before the first connection.</summary>
    public ulong ClusterId => Volatile.Read(ref _core)?.Pd.ClusterId ?? 0;

    /// <summary>
    /// Builds a client and connects to PD: finds the leader and the cluster id. Fails fast with a
    /// <see cref="PdException"/> naming every endpoint when none answers.
    /// </summary>
    public static async Task<TiKVClient> ConnectAsync(TiKVClientOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var client = new TiKVClient(options, loggerFactory);
        try
        {
            await client.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    /// <summary>
    /// Builds a client without any I/O; it connects on first use (a failed connection is retried by the next
    /// call). This is what dependency injection uses; prefer <see cref="ConnectAsync"/> elsewhere.
    /// </summary>
    public static TiKVClient Create(TiKVClientOptions options, ILoggerFactory? loggerFactory = null) => new(options, loggerFactory);

    /// <summary>
    /// A timestamp from PD's TSO (<c>physical_ms &lt;&lt; 18 | logical</c>), strictly increasing across the cluster.
    /// Concurrent callers are served by one batched request.
    /// </summary>
    public async ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken = default)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("GetTimestamp");
        var plan = await GetPlanAsync(cancellationToken).ConfigureAwait(false);
        return await plan.Core.Pd.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Begins a transaction on TiKV's transactional key space: takes a start_ts from PD (or
    /// <see cref="TransactionOptions.StartTimestamp"/>) and returns a <see cref="Transaction"/> that reads that snapshot
    /// and buffers its writes until <see cref="Transaction.CommitAsync"/>. Dispose it to roll back if not committed.
    /// </summary>
    public async Task<Transaction> BeginTransactionAsync(TransactionOptions? options = null, CancellationToken cancellationToken = default)
    {
        var settings = (options ?? new TransactionOptions()).Snapshot();
        var txn = await GetTxnCoreAsync(cancellationToken).ConfigureAwait(false);
        var startTs = settings.StartTimestamp ?? await txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
        return new Transaction(this, txn, settings, startTs);
    }

    /// <summary>
    /// A read-only view of the transactional key space at <paramref name="timestamp"/> (e.g. from
    /// <see cref="GetTimestampAsync"/> or a transaction's commit_ts). No I/O until the first read.
    /// </summary>
    public Snapshot GetSnapshot(ulong timestamp)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (timestamp == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "A snapshot timestamp must be a TSO timestamp above zero.");
        }

        return new Snapshot(this, timestamp);
    }

    /// <summary>Shuts the client down: no new requests, in-flight ones get the shutdown timeout, then connections close.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Log.ShuttingDown(_logger);
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var core = Interlocked.Exchange(ref _core, null);
            _plan = null;
            if (core is not null)
            {
                await core.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private static async Task<ClientCore> CreateCoreAsync(TiKVClientOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var pd = await PdClient.ConnectAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        var logger = loggerFactory.CreateLogger("TiKV.Client");
        Log.Connected(logger, pd.ClusterId, pd.LeaderTarget);
        return new ClientCore(options, pd, new RpcClient(options, loggerFactory), loggerFactory);
    }

    /// <summary>The transactional machinery (lock resolver and its cache), created with the first connection.</summary>
    internal async ValueTask<TxnCore> GetTxnCoreAsync(CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var txn = Volatile.Read(ref _txn);
        if (txn is not null && ReferenceEquals(txn.Plan, plan))
        {
            return txn;
        }

        var created = new TxnCore(plan, _loggerFactory);
        var previous = Interlocked.CompareExchange(ref _txn, created, txn);
        return ReferenceEquals(previous, txn) ? created : previous!;
    }

    internal ValueTask<RequestPlan> GetPlanAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var plan = Volatile.Read(ref _plan);
        return plan is not null ? new ValueTask<RequestPlan>(plan) : new ValueTask<RequestPlan>(ConnectCoreAsync(cancellationToken));
    }

    private async Task<RequestPlan> ConnectCoreAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_plan is { } existing)
            {
                return existing;
            }

            var core = await _coreFactory(Options, _loggerFactory, cancellationToken).ConfigureAwait(false);
            var plan = new RequestPlan(core);
            Volatile.Write(ref _core, core);
            Volatile.Write(ref _plan, plan);
            return plan;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
