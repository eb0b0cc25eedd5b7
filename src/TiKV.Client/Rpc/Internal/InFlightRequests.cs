namespace TiKV.Client.Rpc.Internal;

/// <summary>
/// The requests of one connection that were sent and not yet answered, by request id. One lock, taken once per
/// batch sent and once per response frame received: cheaper than a concurrent dictionary's per-entry node and
/// atomic operations when every request passes through here twice.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly Dictionary<ulong, BatchEntry> _entries = [];
    private readonly object _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public void AddAll(List<BatchEntry> entries)
    {
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                _entries[entry.Id] = entry;
            }
        }
    }

    public bool TryRemove(ulong id, out BatchEntry? entry)
    {
        lock (_gate)
        {
            return _entries.Remove(id, out entry);
        }
    }

    /// <summary>Removes the entries of <paramref name="ids"/> into <paramref name="found"/> (null where an id is unknown).</summary>
    public void RemoveAll(IReadOnlyList<ulong> ids, int count, List<BatchEntry?> found)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _entries.Remove(ids[i], out var entry);
                found.Add(entry);
            }
        }
    }

    /// <summary>Removes and returns every entry matching <paramref name="predicate"/>.</summary>
    public List<BatchEntry> RemoveWhere<TState>(Func<BatchEntry, TState, bool> predicate, TState state)
    {
        var removed = new List<BatchEntry>();
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                if (predicate(entry, state))
                {
                    removed.Add(entry);
                }
            }

            foreach (var entry in removed)
            {
                _entries.Remove(entry.Id);
            }
        }

        return removed;
    }
}
