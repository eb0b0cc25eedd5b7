using TiKV.DevCluster.Internal.Pd;

namespace TiKV.DevCluster.Internal;

/// <summary>
/// PD going down and coming back. PD's state (cluster id, id allocator, TSO window, regions, stores, safe points)
/// lives in this runtime, as PD keeps it in etcd, so it survives a PD restart. While PD is down the stores keep
/// serving (raft needs no PD: elections still happen), but whatever needs PD waits: splits (PD allocates the new
/// region and peer ids) and PD's schedulers (leader balance, peer moves).
/// </summary>
internal sealed partial class ClusterRuntime
{
    /// <summary>Whether PD is serving.</summary>
    public bool IsPdUp => Pd is { IsUp: true };

    /// <summary>Stops PD: its port refuses connections and open TSO streams end; the stores keep serving.</summary>
    public Task StopPdAsync(CancellationToken cancellationToken) => Pd.StopAsync(cancellationToken);

    /// <summary>
    /// Restarts PD on the same port. Like PD after a restart (<c>SyncTimestamp</c>), the timestamp oracle resumes
    /// strictly above the upper bound it persisted before handing out timestamps, so TSO never goes backwards even
    /// when the wall clock lags. Splits and scheduling deferred while PD was down then run.
    /// </summary>
    /// <exception cref="IOException">PD's port has been taken meanwhile.</exception>
    public async Task RestartPdAsync(CancellationToken cancellationToken)
    {
        if (IsPdUp)
        {
            return;
        }

        Tso = new TsoAllocator(Time, Interlocked.Read(ref _tsoUpperBoundMs), OnTsoWindowAdvanced);
        await Pd.StartAsync(Options.Host, Pd.Port, fallBack: false, cancellationToken).ConfigureAwait(false);
        SplitChecker.OnPdUp();
        BalanceLeaders();
        Scheduler.Wake();
    }

    /// <summary>Throws when PD is down, for operations PD has to drive.</summary>
    /// <exception cref="InvalidOperationException">PD is down.</exception>
    public void RequirePd(string operation)
    {
        if (!IsPdUp)
        {
            throw new InvalidOperationException($"PD is down: {operation} needs PD.");
        }
    }
}
