using System.Collections.ObjectModel;
using TiKV.Client.Pd.Internal;

namespace TiKV.Client;

/// <summary>
/// Settings of a <see cref="TiKVClient"/>. Every property documents its default (taken from client-go's
/// configuration where one exists). The instance is validated and frozen when a client is built from it:
/// later changes throw <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class TiKVClientOptions
{
    private IList<string> _pdEndpoints = new List<string>();
    private bool _frozen;
    private int _grpcConnectionCount = 4;
    private bool _enableBatchCommands = true;
    private int _maxBatchSize = 128;
    private TimeSpan _maxBatchWaitTime = TimeSpan.Zero;
    private int _batchWaitSize = 8;
    private int _overloadThreshold = 200;
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _pdTimeout = TimeSpan.FromSeconds(3);
    private TimeSpan _rawOperationBudget = TimeSpan.FromSeconds(20);
    private TimeSpan _tsoBudget = TimeSpan.FromSeconds(15);
    private TimeSpan _regionCacheTtl = TimeSpan.FromMinutes(10);
    private TimeSpan _regionCacheTtlJitter = TimeSpan.FromMinutes(1);
    private int _rawBatchPairCount = 512;
    private int _rawBatchSize = 16 * 1024;
    private int _maxKeySize = 8 * 1024;
    private int _maxValueSize = 6 * 1024 * 1024;
    private bool _atomicForCas;
    private string _columnFamily = string.Empty;
    private TimeSpan _shutdownTimeout = TimeSpan.FromSeconds(5);
    private TiKVTlsOptions? _tls;
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>
    /// PD endpoints as <c>host:port</c> (or <c>http://host:port</c>, <c>https://host:port</c>). Required; any member of
    /// the PD cluster will do, the client discovers the leader through GetMembers.
    /// </summary>
    public IList<string> PdEndpoints
    {
        get => _pdEndpoints;
        set => Set(ref _pdEndpoints, new List<string>(value ?? throw new ArgumentNullException(nameof(value))));
    }

    /// <summary>Connections (each with one BatchCommands stream) per store. Default 4 (TiKV client's grpc-connection-count).</summary>
    public int GrpcConnectionCount { get => _grpcConnectionCount; set => Set(ref _grpcConnectionCount, value); }

    /// <summary>
    /// Multiplex requests over BatchCommands streams. Default true. When false every request is a unary call
    /// (for comparison and debugging).
    /// </summary>
    public bool EnableBatchCommands { get => _enableBatchCommands; set => Set(ref _enableBatchCommands, value); }

    /// <summary>Most requests per BatchCommands message. Default 128 (client-go's max-batch-size).</summary>
    public int MaxBatchSize { get => _maxBatchSize; set => Set(ref _maxBatchSize, value); }

    /// <summary>
    /// How long the send loop may wait for more requests when the store reports a transport load above
    /// <see cref="OverloadThreshold"/>. Default zero: never wait (client-go's max-batch-wait-time).
    /// </summary>
    public TimeSpan MaxBatchWaitTime { get => _maxBatchWaitTime; set => Set(ref _maxBatchWaitTime, value); }

    /// <summary>While waiting under load, send as soon as this many requests are pending. Default 8 (client-go's batch-wait-size).</summary>
    public int BatchWaitSize { get => _batchWaitSize; set => Set(ref _batchWaitSize, value); }

    /// <summary>Store transport load (gRPC CPU %) above which batching waits. Default 200 (client-go's overload-threshold).</summary>
    public int OverloadThreshold { get => _overloadThreshold; set => Set(ref _overloadThreshold, value); }

    /// <summary>Timeout of one request to a store. Default 30 s (client-go's ReadTimeoutShort).</summary>
    public TimeSpan RequestTimeout { get => _requestTimeout; set => Set(ref _requestTimeout, value); }

    /// <summary>Timeout of one PD call, including connecting to it. Default 3 s (PD client's default timeout).</summary>
    public TimeSpan PdTimeout { get => _pdTimeout; set => Set(ref _pdTimeout, value); }

    /// <summary>Total backoff sleep allowed per raw operation before it fails. Default 20 s (client-go's rawkvMaxBackoff).</summary>
    public TimeSpan RawOperationBudget { get => _rawOperationBudget; set => Set(ref _rawOperationBudget, value); }

    /// <summary>Total backoff sleep allowed to obtain a timestamp. Default 15 s.</summary>
    public TimeSpan TsoBudget { get => _tsoBudget; set => Set(ref _tsoBudget, value); }

    /// <summary>
    /// Idle time after which a cached region is reloaded from PD. Default 10 min (client-go's region-cache-ttl).
    /// A background round every second drops regions idle past it from the cache, as client-go's cache GC does.
    /// </summary>
    public TimeSpan RegionCacheTtl { get => _regionCacheTtl; set => Set(ref _regionCacheTtl, value); }

    /// <summary>Random extra TTL per region so entries do not expire together. Default 1 min.</summary>
    public TimeSpan RegionCacheTtlJitter { get => _regionCacheTtlJitter; set => Set(ref _regionCacheTtlJitter, value); }

    /// <summary>Most pairs per raw batch request to one region. Default 512 (client-go's rawBatchPairCount).</summary>
    public int RawBatchPairCount { get => _rawBatchPairCount; set => Set(ref _rawBatchPairCount, value); }

    /// <summary>Target bytes (keys + values) per raw batch request to one region. Default 16 KiB (client-go's rawBatchPutSize).</summary>
    public int RawBatchSize { get => _rawBatchSize; set => Set(ref _rawBatchSize, value); }

    /// <summary>Largest key accepted, in bytes. Default 8 KiB (TiKV's max-key-size).</summary>
    public int MaxKeySize { get => _maxKeySize; set => Set(ref _maxKeySize, value); }

    /// <summary>
    /// Largest value accepted, in bytes. Default 6 MiB, which keeps a single write under TiKV's 8 MiB
    /// raft-entry-max-size including encoding overhead.
    /// </summary>
    public int MaxValueSize { get => _maxValueSize; set => Set(ref _maxValueSize, value); }

    /// <summary>
    /// Make raw puts and deletes atomic with respect to CompareAndSwap (client-go's SetAtomicForCAS): they are
    /// sent with <c>for_cas</c> so TiKV serialises them with CAS on the same key. Default false.
    /// </summary>
    public bool AtomicForCas { get => _atomicForCas; set => Set(ref _atomicForCas, value); }

    /// <summary>Column family raw requests use; empty means TiKV's default ("default"). Default empty.</summary>
    public string ColumnFamily
    {
        get => _columnFamily;
        set => Set(ref _columnFamily, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>How long disposal waits for requests in flight before closing connections. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get => _shutdownTimeout; set => Set(ref _shutdownTimeout, value); }

    /// <summary>TLS for PD and store connections; null (the default) uses plain HTTP/2.</summary>
    public TiKVTlsOptions? Tls { get => _tls; set => Set(ref _tls, value); }

    /// <summary>Clock for timeouts, backoff sleeps and cache expiry. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => Set(ref _timeProvider, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>True once a client has been built from these options.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>Checks every setting and throws <see cref="ArgumentException"/> naming the first invalid one.</summary>
    public void Validate()
    {
        if (_pdEndpoints.Count == 0)
        {
            throw new ArgumentException("At least one PD endpoint is required (e.g. \"127.0.0.1:2379\").", nameof(PdEndpoints));
        }

        foreach (var endpoint in _pdEndpoints)
        {
            if (!PdEndpoint.TryParse(endpoint, out _))
            {
                throw new ArgumentException($"PD endpoint \"{endpoint}\" is not host:port, http://host:port or https://host:port.", nameof(PdEndpoints));
            }
        }

        RequirePositive(_grpcConnectionCount, nameof(GrpcConnectionCount));
        RequirePositive(_maxBatchSize, nameof(MaxBatchSize));
        RequirePositive(_batchWaitSize, nameof(BatchWaitSize));
        RequirePositive(_overloadThreshold, nameof(OverloadThreshold));
        RequirePositive(_rawBatchPairCount, nameof(RawBatchPairCount));
        RequirePositive(_rawBatchSize, nameof(RawBatchSize));
        RequirePositive(_maxKeySize, nameof(MaxKeySize));
        RequirePositive(_maxValueSize, nameof(MaxValueSize));
        RequireNonNegative(_maxBatchWaitTime, nameof(MaxBatchWaitTime));
        RequireNonNegative(_regionCacheTtlJitter, nameof(RegionCacheTtlJitter));
        RequireNonNegative(_shutdownTimeout, nameof(ShutdownTimeout));
        RequireNonNegative(_rawOperationBudget, nameof(RawOperationBudget));
        RequireNonNegative(_tsoBudget, nameof(TsoBudget));
        RequirePositive(_requestTimeout, nameof(RequestTimeout));
        RequirePositive(_pdTimeout, nameof(PdTimeout));
        RequirePositive(_regionCacheTtl, nameof(RegionCacheTtl));
        if (_grpcConnectionCount > 64)
        {
            throw new ArgumentException($"GrpcConnectionCount must be at most 64, was {_grpcConnectionCount}.", nameof(GrpcConnectionCount));
        }

        if (_maxBatchSize > 10_000)
        {
            throw new ArgumentException($"MaxBatchSize must be at most 10000, was {_maxBatchSize}.", nameof(MaxBatchSize));
        }
    }

    /// <summary>Validates and freezes the options; further changes throw.</summary>
    internal void Freeze()
    {
        if (_frozen)
        {
            return;
        }

        Validate();
        _pdEndpoints = new ReadOnlyCollection<string>([.. _pdEndpoints]);
        _frozen = true;
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, was {value}.", name);
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be positive, was {value}.", name);
        }
    }

    private static void RequireNonNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must not be negative, was {value}.", name);
        }
    }

    private void Set<T>(ref T field, T value)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("TiKVClientOptions cannot be changed after a client has been built from them.");
        }

        field = value;
    }
}
