using Microsoft.Extensions.Logging;
using TiKV.Client.Internal;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Retry.Internal;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// What every transaction and snapshot of one client shares: the request plan (routing and retry), the TSO, the
/// clock and the lock resolver with its cache of resolved transaction statuses.
/// </summary>
internal sealed class TxnCore
{
    public TxnCore(RequestPlan plan, ILoggerFactory loggerFactory)
    {
        Plan = plan;
        Logger = loggerFactory.CreateLogger("TiKV.Client.Txn");
        LockResolver = new LockResolver(this, loggerFactory.CreateLogger("TiKV.Client.LockResolver"));
    }

    public RequestPlan Plan { get; }

    public ClientCore Core => Plan.Core;

    public TimeProvider Time => Plan.Core.Options.TimeProvider;

    public ILogger Logger { get; }

    public LockResolver LockResolver { get; }

    /// <summary>Wall-clock milliseconds, comparable with the physical part of TSO timestamps.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public ValueTask<ulong> GetTimestampAsync(CancellationToken cancellationToken) => Core.Pd.GetTimestampAsync(cancellationToken);

    public Backoffer NewBackoffer(string operation, TimeSpan budget) => Plan.NewBackoffer(operation, budget);

    /// <summary>The region holding a transactional (raw) key, located by its memcomparable encoding.</summary>
    public ValueTask<CachedRegion> LocateAsync(byte[] key, Backoffer backoffer, CancellationToken cancellationToken) =>
        Core.Regions.LocateKeyAsync(TxnKeys.Encode(key), backoffer, cancellationToken);

    /// <summary>Milliseconds until a lock taken at <paramref name="lockTs"/> with <paramref name="ttlMs"/> expires (≤ 0: expired), client-go's UntilExpired.</summary>
    public long UntilExpiredMs(ulong lockTs, ulong ttlMs) =>
        TsoMath.PhysicalMs(lockTs) + (long)Math.Min(ttlMs, long.MaxValue / 2) - NowMs;

    /// <summary>Sends a request about one key to the region holding it (re-locating on region changes).</summary>
    public async Task<TResponse> SendToKeyAsync<TResponse>(Backoffer backoffer, byte[] key, Func<StoreRequest<TResponse>> build, CancellationToken cancellationToken)
        where TResponse : class
    {
        var (response, _) = await Plan.RegionAsync(backoffer, b => LocateAsync(key, b, cancellationToken), _ => build(), cancellationToken).ConfigureAwait(false);
        return response;
    }
}
