using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// The transactions a snapshot's reads may pass: locks of ignored transactions cannot affect the
/// snapshot (their commit_ts lies above it or they rolled back) and locks of accessed ones belong to
/// transactions committed below it, so TiKV reads through them. Sent as Context.resolved_locks and
/// Context.committed_locks (client-go's ClientHelper).
/// </summary>
internal sealed class ReadLocks
{
    private readonly HashSet<ulong> _ignore = [];
    private readonly HashSet<ulong> _access = [];
    private readonly object _gate = new();

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _ignore.Count == 0 && _access.Count == 0;
            }
        }
    }

    public void Add(ResolveResult result)
    {
        if (result.IgnoreLocks.Count == 0 && result.AccessLocks.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _ignore.UnionWith(result.IgnoreLocks);
            _access.UnionWith(result.AccessLocks);
        }
    }

    /// <summary>
    /// The context to send with the locks added; a copy, because the context the sender hands out is shared by
    /// every request to the region.
    /// </summary>
    public Context ApplyTo(Context context)
    {
        lock (_gate)
        {
            if (_ignore.Count == 0 && _access.Count == 0)
            {
                return context;
            }

            var copy = context.Clone();
            copy.ResolvedLocks.AddRange(_ignore);
            copy.CommittedLocks.AddRange(_access);
            return copy;
        }
    }
}
