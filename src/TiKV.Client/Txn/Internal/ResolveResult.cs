namespace TiKV.Client.Txn.Internal;

/// <summary>
/// The outcome of resolving a set of locks: how long until the earliest still-alive lock expires (0 when none is
/// alive), and, for reads, the transactions whose locks the read may ignore (min_commit_ts pushed past it, rolled
/// back, or committed after it) or read through (committed before it).
/// </summary>
internal sealed record ResolveResult(long MsBeforeExpired, IReadOnlyList<ulong> IgnoreLocks, IReadOnlyList<ulong> AccessLocks)
{
    public static readonly ResolveResult None = new(0, [], []);
}
