using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>The outcome of one pass of a pessimistic lock request: results, an error, or a registered wait.</summary>
internal sealed class PessimisticAttempt
{
    public List<PessimisticKeyResult>? Results { get; init; }

    public KeyError? Error { get; init; }

    /// <summary>Set when the request waits for a lock.</summary>
    public LockWaiter? Waiter { get; init; }

    /// <summary>The KeyIsLocked error to report if the wait times out.</summary>
    public KeyError? LockError { get; init; }
}
