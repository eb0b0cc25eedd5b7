using System.Text;
using Google.Protobuf;
using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;
using TiKV.Tests.Shared;

namespace TiKV.DevCluster.Tests.Mvcc;

/// <summary>A TxnEngine over the in-memory engine with a manual clock, plus terse request builders.</summary>
internal sealed class MvccHarness : IAsyncDisposable
{
    public const ulong DefaultTtl = 3000;

    public MvccHarness(TxnEngineOptions? options = null)
    {
        Time = new ManualTimeProvider();
        Storage = new MemoryStorageEngine();
        Engine = new TxnEngine(Storage, Time, options);
    }

    public ManualTimeProvider Time { get; }

    public MemoryStorageEngine Storage { get; }

    public TxnEngine Engine { get; }

    /// <summary>A TSO timestamp: physical milliseconds and a logical counter.</summary>
    public static ulong Ts(ulong physicalMs, ulong logical = 0) => (physicalMs << 18) | logical;

    public static ByteString K(string key) => ByteString.CopyFromUtf8(key);

    public static string Str(ByteString value) => value.ToStringUtf8();

    public static Mutation Put(string key, string value, Assertion assertion = Assertion.None)
        => new() { Op = Op.Put, Key = K(key), Value = K(value), Assertion = assertion };

    public static Mutation Put(string key, byte[] value) => new() { Op = Op.Put, Key = K(key), Value = ByteString.CopyFrom(value) };

    public static Mutation Delete(string key) => new() { Op = Op.Del, Key = K(key) };

    public static Mutation LockOnly(string key) => new() { Op = Op.Lock, Key = K(key) };

    public static Mutation Insert(string key, string value) => new() { Op = Op.Insert, Key = K(key), Value = K(value) };

    public static Mutation CheckNotExists(string key) => new() { Op = Op.CheckNotExists, Key = K(key) };

    public static PrewriteRequest PrewriteRequest(ulong startTs, string primary, params Mutation[] mutations)
    {
        var request = new PrewriteRequest { StartVersion = startTs, PrimaryLock = K(primary), LockTtl = DefaultTtl, MinCommitTs = startTs + 1, TxnSize = (ulong)mutations.Length };
        request.Mutations.AddRange(mutations);
        return request;
    }

    public async Task<PrewriteResponse> PrewriteAsync(ulong startTs, string primary, params Mutation[] mutations)
        => await Engine.PrewriteAsync(PrewriteRequest(startTs, primary, mutations));

    public async Task MustPrewriteAsync(ulong startTs, string primary, params Mutation[] mutations)
    {
        var response = await PrewriteAsync(startTs, primary, mutations);
        Assert.Empty(response.Errors);
    }

    public async Task<CommitResponse> CommitAsync(ulong startTs, ulong commitTs, params string[] keys)
    {
        var request = new CommitRequest { StartVersion = startTs, CommitVersion = commitTs };
        request.Keys.AddRange(keys.Select(K));
        return await Engine.CommitAsync(request);
    }

    public async Task MustCommitAsync(ulong startTs, ulong commitTs, params string[] keys)
    {
        var response = await CommitAsync(startTs, commitTs, keys);
        Assert.Null(response.Error);
        Assert.Equal(commitTs, response.CommitVersion);
    }

    /// <summary>Prewrites puts with the first key as primary and commits them.</summary>
    public async Task MustPutAsync(ulong startTs, ulong commitTs, params (string Key, string Value)[] pairs)
    {
        await MustPrewriteAsync(startTs, pairs[0].Key, pairs.Select(p => Put(p.Key, p.Value)).ToArray());
        await MustCommitAsync(startTs, commitTs, pairs.Select(p => p.Key).ToArray());
    }

    public async Task<BatchRollbackResponse> RollbackAsync(ulong startTs, params string[] keys)
    {
        var request = new BatchRollbackRequest { StartVersion = startTs };
        request.Keys.AddRange(keys.Select(K));
        return await Engine.BatchRollbackAsync(request);
    }

    public async Task<GetResponse> GetAsync(string key, ulong ts, Context? context = null)
        => await Engine.GetAsync(new GetRequest { Key = K(key), Version = ts, Context = context });

    /// <summary>The value at <paramref name="ts"/>, or null when absent; fails on any error.</summary>
    public async Task<string?> MustGetAsync(string key, ulong ts)
    {
        var response = await GetAsync(key, ts);
        Assert.Null(response.Error);
        return response.NotFound ? null : Str(response.Value);
    }

    public async Task<LockInfo> MustBeLockedAsync(string key, ulong ts)
    {
        var response = await GetAsync(key, ts);
        Assert.NotNull(response.Error);
        Assert.NotNull(response.Error.Locked);
        return response.Error.Locked;
    }

    public async Task<CheckTxnStatusResponse> CheckTxnStatusAsync(string primary, ulong lockTs, ulong callerStartTs, ulong currentTs, bool rollbackIfNotExist = true, bool resolvingPessimisticLock = false, bool forceSyncCommit = false)
        => await Engine.CheckTxnStatusAsync(new CheckTxnStatusRequest
        {
            PrimaryKey = K(primary),
            LockTs = lockTs,
            CallerStartTs = callerStartTs,
            CurrentTs = currentTs,
            RollbackIfNotExist = rollbackIfNotExist,
            ResolvingPessimisticLock = resolvingPessimisticLock,
            ForceSyncCommit = forceSyncCommit,
        });

    public async Task<PessimisticLockResponse> PessimisticLockAsync(ulong startTs, ulong forUpdateTs, string primary, long waitTimeoutMs, params string[] keys)
        => await Engine.PessimisticLockAsync(PessimisticLockRequest(startTs, forUpdateTs, primary, waitTimeoutMs, keys));

    public static PessimisticLockRequest PessimisticLockRequest(ulong startTs, ulong forUpdateTs, string primary, long waitTimeoutMs, params string[] keys)
    {
        var request = new PessimisticLockRequest
        {
            StartVersion = startTs,
            ForUpdateTs = forUpdateTs,
            PrimaryLock = K(primary),
            LockTtl = DefaultTtl,
            WaitTimeout = waitTimeoutMs,
        };
        request.Mutations.AddRange(keys.Select(k => new Mutation { Op = Op.PessimisticLock, Key = K(k) }));
        return request;
    }

    /// <summary>The key's write-CF records, newest first, as (commit_ts, kind).</summary>
    public List<(ulong CommitTs, WriteKind Kind)> Writes(string key)
    {
        var encoded = MvccKey.Encode(Encoding.UTF8.GetBytes(key));
        return Storage.Scan(ColumnFamily.Write, encoded, default)
            .TakeWhile(e => MvccKey.IsVersionOf(e.Key, encoded))
            .Select(e => (MvccKey.DecodeTs(e.Key), WriteRecord.Parse(e.Value).Kind))
            .ToList();
    }

    public bool HasLock(string key) => Storage.TryGet(ColumnFamily.Lock, MvccKey.Encode(Encoding.UTF8.GetBytes(key)), out _);

    public LockRecord? LockOf(string key)
        => Storage.TryGet(ColumnFamily.Lock, MvccKey.Encode(Encoding.UTF8.GetBytes(key)), out var bytes) ? LockRecord.Parse(bytes) : null;

    public async ValueTask DisposeAsync()
    {
        Engine.Dispose();
        await Storage.DisposeAsync();
    }
}
