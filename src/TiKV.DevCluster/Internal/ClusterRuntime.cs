using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TiKV.DevCluster.Internal.Faults;
using TiKV.DevCluster.Internal.Pd;
using TiKV.DevCluster.Internal.Persistence;
using TiKV.DevCluster.Internal.Raw;
using TiKV.DevCluster.Internal.Regions;
using TiKV.DevCluster.Internal.Store;
using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Grpc;
using TiKV.Proto.Metapb;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// Everything a running DevCluster is made of: PD's state (cluster id, ids, TSO, regions, safe points), the
/// stores, the replicated data (one raw and one transactional engine shared by all peers) and the background
/// workers (elections, leader balance, split checks, GC).
/// </summary>
internal sealed partial class ClusterRuntime : IAsyncDisposable
{
    /// <summary>Peers per region, TiKV's default <c>max-replicas</c>.</summary>
    public const int MaxReplicas = 3;

    private readonly Lock _storesGate = new();
    private volatile StoreSet _stores;
    private readonly MetadataFile? _metadataFile;
    private readonly Lock _metadataGate = new();
    private long _tsoUpperBoundMs;
    private TsoAllocator _tso;
    private int _disposed;

    private ClusterRuntime(
        DevClusterOptions options,
        ulong clusterId,
        IdAllocator ids,
        RegionTable regions,
        IReadOnlyList<StoreNode> stores,
        RawStore raw,
        TxnEngine txn,
        TsoAllocator? tso,
        long tsoUpperBoundMs,
        GcSafePointManager gcSafePoints,
        MetadataFile? metadataFile,
        ILoggerFactory loggerFactory)
    {
        Options = options;
        ClusterId = clusterId;
        Ids = ids;
        Regions = regions;
        _stores = new StoreSet([.. stores], stores.ToDictionary(s => s.Id));
        Raw = raw;
        Txn = txn;
        GcSafePoints = gcSafePoints;
        _metadataFile = metadataFile;
        _tsoUpperBoundMs = tsoUpperBoundMs;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger("TiKV.DevCluster");
        Time = options.TimeProvider;
        _tso = tso ?? new TsoAllocator(Time, tsoUpperBoundMs, OnTsoWindowAdvanced);
        Background = new BackgroundTasks(Logger);
        SplitChecker = new SplitChecker(this);
        GcWorker = new GcWorker(this);
        Scheduler = new PdScheduler(this);
        Faults = new FaultInjector();
        PdFaults = new FaultInjector();
    }

    /// <summary>The options the cluster was started with.</summary>
    public DevClusterOptions Options { get; }

    /// <summary>The cluster id.</summary>
    public ulong ClusterId { get; }

    /// <summary>PD's id allocator.</summary>
    public IdAllocator Ids { get; }

    /// <summary>All regions.</summary>
    public RegionTable Regions { get; }

    /// <summary>The stores, by ascending id.</summary>
    public IReadOnlyList<StoreNode> Stores => _stores.Sorted;

    /// <summary>Raw data.</summary>
    public RawStore Raw { get; }

    /// <summary>Transactional data.</summary>
    public TxnEngine Txn { get; }

    /// <summary>PD's timestamp oracle (a new one after each PD restart, starting above the persisted window).</summary>
    public TsoAllocator Tso { get => Volatile.Read(ref _tso); private set => Volatile.Write(ref _tso, value); }

    /// <summary>PD's GC safe points.</summary>
    public GcSafePointManager GcSafePoints { get; }

    /// <summary>Faults injected into the stores.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Faults injected into PD.</summary>
    public FaultInjector PdFaults { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Logger factory for components.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The cluster's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>Background work.</summary>
    public BackgroundTasks Background { get; }

    /// <summary>Automatic region splits.</summary>
    public SplitChecker SplitChecker { get; }

    /// <summary>PD's peer scheduling (store removal, region balance).</summary>
    public PdScheduler Scheduler { get; }

    /// <summary>MVCC garbage collection.</summary>
    public GcWorker GcWorker { get; }

    /// <summary>PD's gRPC endpoint.</summary>
    public PdServer Pd { get; private set; } = null!;

    /// <summary>The store with <paramref name="id"/>, or null.</summary>
    public StoreNode? GetStore(ulong id) => _stores.ById.GetValueOrDefault(id);

    /// <summary>Whether store <paramref name="id"/> exists and is serving.</summary>
    public bool IsStoreUp(ulong id) => _stores.ById.TryGetValue(id, out var store) && store.IsUp;

    /// <summary>Options for every gRPC server of the cluster.</summary>
    public GrpcServerOptions ServerOptions => new()
    {
        LoggerFactory = Options.LoggerFactory,
        TimeProvider = Time,
        ShutdownTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Creates (or, with a data directory, restores) the cluster and starts PD and every store.</summary>
    public static async Task<ClusterRuntime> StartAsync(DevClusterOptions options, bool fallBackToFreePorts, CancellationToken cancellationToken)
    {
        Validate(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("TiKV.DevCluster");
        var time = options.TimeProvider;
        MetadataFile? file = null;
        ClusterMetadata? metadata = null;
        if (options.DataDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            file = new MetadataFile(directory);
            metadata = file.Load();
        }

        var runtime = metadata is null
            ? Create(options, file, loggerFactory, logger)
            : Restore(options, metadata, file, loggerFactory, logger);
        try
        {
            await runtime.StartServersAsync(fallBackToFreePorts, cancellationToken).ConfigureAwait(false);
            runtime.SaveMetadata();
            runtime.Regions.Changed += runtime.OnRegionsChanged;
            runtime.GcSafePoints.Changed += runtime.OnGcSafePointsChanged;
            runtime.SplitChecker.Start();
            runtime.Scheduler.Start();
            Log.ClusterStarted(logger, runtime.ClusterId, runtime.Pd.Address, runtime.Stores.Count, runtime.Regions.Count);
            return runtime;
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops every server and closes the engines.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Scheduler.Abandon();
        await Background.DisposeAsync().ConfigureAwait(false);
        var stops = Stores.Select(s => s.DisposeAsync().AsTask()).ToList();
        if (Pd is not null)
        {
            stops.Add(Pd.DisposeAsync().AsTask());
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
        GcWorker.Dispose();
        Scheduler.Dispose();
        SaveMetadata();
        Txn.Dispose();
        await Txn.Storage.DisposeAsync().ConfigureAwait(false);
        await Raw.DisposeAsync().ConfigureAwait(false);
    }

    private static void Validate(DevClusterOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StoreCount, 1, nameof(options.StoreCount));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Host, nameof(options.Host));
        ValidatePort(options.PdPort, nameof(options.PdPort));
        ValidatePort(options.StorePortBase, nameof(options.StorePortBase));
        ValidatePort(options.StatusPortBase, nameof(options.StatusPortBase));
        if (options.StorePortBase != 0 && options.StorePortBase + options.StoreCount - 1 > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"StorePortBase {options.StorePortBase} leaves no room for {options.StoreCount} stores.");
        }

        if (options.StatusPortBase != 0 && options.StatusPortBase + options.StoreCount - 1 > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"StatusPortBase {options.StatusPortBase} leaves no room for {options.StoreCount} stores.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.RegionSplitSizeBytes, 1, nameof(options.RegionSplitSizeBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RegionSplitKeys, 2, nameof(options.RegionSplitKeys));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ElectionTimeout, TimeSpan.Zero, nameof(options.ElectionTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StoreDownAfter, TimeSpan.Zero, nameof(options.StoreDownAfter));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
    }

    private static void ValidatePort(int port, string name)
    {
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(name, port, "A port must be between 0 and 65535.");
        }
    }

    private static ClusterRuntime Create(DevClusterOptions options, MetadataFile? file, ILoggerFactory loggerFactory, ILogger logger)
    {
        var time = options.TimeProvider;
        var ids = new IdAllocator(0);
        var stores = new List<StoreNode>();
        for (var i = 0; i < options.StoreCount; i++)
        {
            stores.Add(new StoreNode(
                ids.Next(),
                options.Host,
                options.StorePortBase == 0 ? 0 : options.StorePortBase + i,
                options.StatusPortBase == 0 ? 0 : options.StatusPortBase + i,
                logger,
                time));
        }

        // PD bootstraps the cluster with one region covering the whole key space, replicated to max-replicas stores.
        var regionId = ids.Next();
        var peers = stores.Take(MaxReplicas).Select(s => new RegionPeer(ids.Next(), s.Id)).ToImmutableArray();
        var first = new RegionState(regionId, [], [], 1, 1, peers, peers[0].StoreId, RegionSplitter.InitialTerm);
        var (raw, txn) = OpenEngines(options);
        var runtime = new ClusterRuntime(
            options,
            ClusterIdGenerator.Generate(time.GetUtcNow()),
            ids,
            new RegionTable([first]),
            stores,
            raw,
            txn,
            null,
            0,
            new GcSafePointManager(),
            file,
            loggerFactory);
        foreach (var store in stores)
        {
            runtime._requestedPorts[store.Id] = (store.Port, store.StatusPort);
        }

        return runtime;
    }

    private static ClusterRuntime Restore(DevClusterOptions options, ClusterMetadata metadata, MetadataFile? file, ILoggerFactory loggerFactory, ILogger logger)
    {
        var time = options.TimeProvider;
        var restored = metadata.Stores.OrderBy(s => s.Id).Select(s => RestoreStore(options, s, logger)).ToList();
        var stores = restored.Select(r => r.Store).ToList();
        if (stores.Count == 0 || metadata.Regions.Count == 0)
        {
            throw new InvalidDataException($"Cluster metadata in '{file?.Path}' has no stores or no regions.");
        }

        var regions = metadata.Regions.Select(r => new RegionState(
            r.Id,
            r.StartKey,
            r.EndKey,
            r.ConfVer,
            r.Version,
            r.PeerIds.Zip(r.PeerStoreIds, (peer, store) => new RegionPeer(peer, store)).ToImmutableArray(),
            r.LeaderStoreId,
            r.Term));
        var (raw, txn) = OpenEngines(options);

        // PD persists its id allocator ahead of use; skipping a block of ids after a restart keeps ids unique even
        // if some were handed out after the last save.
        var ids = new IdAllocator(metadata.LastId + 1000);
        var gc = new GcSafePointManager(
            metadata.GcSafePoint,
            metadata.ServiceSafePoints.Select(s => new ServiceSafePoint(s.ServiceId, s.ExpiredAt, s.SafePoint)));
        var runtime = new ClusterRuntime(
            options, metadata.ClusterId, ids, new RegionTable(regions), stores, raw, txn, null, metadata.TsoUpperBoundMs, gc, file, loggerFactory);
        foreach (var record in metadata.Stores)
        {
            runtime._requestedPorts[record.Id] = (record.RequestedPort ?? 0, record.RequestedStatusPort ?? 0);
        }

        foreach (var (store, saved) in restored)
        {
            runtime._savedPorts[store.Id] = saved;
        }

        return runtime;
    }

    private static (RawStore Raw, TxnEngine Txn) OpenEngines(DevClusterOptions options)
    {
        IStorageEngine rawEngine, txnEngine;
        if (options.DataDirectory is { } directory)
        {
            rawEngine = SqliteStorageEngine.Open(Path.Combine(directory, "raw"));
            txnEngine = SqliteStorageEngine.Open(Path.Combine(directory, "txn"));
        }
        else
        {
            rawEngine = new MemoryStorageEngine();
            txnEngine = new MemoryStorageEngine();
        }

        return (new RawStore(rawEngine, options.TimeProvider), new TxnEngine(txnEngine, options.TimeProvider));
    }

    /// <summary>
    /// Starts PD and the stores: each server's synchronous set-up (routes, Kestrel's host) runs on this thread in
    /// turn and only their awaits overlap. That is deliberate: a cold start is mostly JIT and type loading of the
    /// same code, which set-ups on separate threads only contend on (measured: no sooner ready, 50–250 ms more CPU).
    /// </summary>
    private async Task StartServersAsync(bool fallBack, CancellationToken cancellationToken)
    {
        Pd = new PdServer(this);
        var askedPorts = Stores.ToDictionary(s => s.Id, s => (s.Port, s.StatusPort));
        var starts = new List<Task> { Pd.StartAsync(Options.Host, Options.PdPort, fallBack, cancellationToken) };
        starts.AddRange(Stores.Where(s => s.MetaState != StoreState.Tombstone).Select(s => StartStoreCoreAsync(s, fallBack, cancellationToken)));
        await Task.WhenAll(starts).ConfigureAwait(false);
        CollectPortFallbacks(askedPorts);
    }
}
