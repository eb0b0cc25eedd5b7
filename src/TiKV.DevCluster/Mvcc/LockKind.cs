namespace TiKV.DevCluster.Mvcc;

/// <summary>TiKV's lock types: a prewritten put/delete/lock, or a pessimistic lock taken before prewrite.</summary>
internal enum LockKind : byte
{
    /// <summary>Prewritten put.</summary>
    Put = 1,

    /// <summary>Prewritten delete.</summary>
    Delete = 2,

    /// <summary>Prewritten lock-only mutation (SELECT FOR UPDATE in optimistic mode).</summary>
    Lock = 3,

    /// <summary>Pessimistic lock.</summary>
    Pessimistic = 4,
}
