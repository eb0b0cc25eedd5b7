using System.Diagnostics.Metrics;
using TiKV.Client.Diagnostics.Internal;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Transactional instruments on the client's one "TiKV.Client" meter, after client-go's tikv_client_go_txn_cmd,
/// txn_commit_backoff and lock_resolver_actions.
/// </summary>
internal static class TxnMetrics
{
    private static readonly Counter<long> Commits = ClientMetrics.Meter.CreateCounter<long>(
        "tikv.client.txn.commits", unit: "{transaction}", description: "Transaction commits, by protocol (2pc, async_commit, 1pc) and result.");

    private static readonly Histogram<double> CommitDuration = ClientMetrics.Meter.CreateHistogram<double>(
        "tikv.client.txn.commit.duration", unit: "s", description: "Duration of transaction commits (prewrite to commit point), by protocol.");

    private static readonly Counter<long> Conflicts = ClientMetrics.Meter.CreateCounter<long>(
        "tikv.client.txn.write_conflicts", unit: "{conflict}", description: "Write conflicts met by prewrite and pessimistic locking.");

    private static readonly Counter<long> LockResolves = ClientMetrics.Meter.CreateCounter<long>(
        "tikv.client.txn.lock_resolves", unit: "{lock}", description: "Locks met by transactional requests, by what resolving them found.");

    public static void RecordCommit(string protocol, string result, TimeSpan elapsed)
    {
        if (Commits.Enabled)
        {
            Commits.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("result", result));
        }

        if (CommitDuration.Enabled && result == "committed")
        {
            CommitDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("protocol", protocol));
        }
    }

    public static void RecordConflict() => Conflicts.Add(1);

    public static void RecordLockResolve(string outcome)
    {
        if (LockResolves.Enabled)
        {
            LockResolves.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
