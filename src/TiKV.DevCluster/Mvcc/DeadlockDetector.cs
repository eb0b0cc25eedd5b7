using Google.Protobuf;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// The wait-for graph of transactions blocked on pessimistic locks (TiKV's deadlock DetectTable). An edge
/// waiter → holder exists while a request of the waiter waits for a lock of the holder. Adding an edge that
/// closes a cycle is refused and reported as a deadlock. Not thread-safe: <see cref="LockWaitManager"/> guards it.
/// </summary>
internal sealed class DeadlockDetector
{
    private readonly Dictionary<ulong, Dictionary<ulong, List<WaitForKey>>> _waitFor = [];

    /// <summary>
    /// Registers that <paramref name="waiterTs"/> waits for <paramref name="holderTs"/> on a key, unless the holder
    /// (transitively) waits for the waiter: then nothing is registered and the key of the edge that points back to
    /// the waiter is returned, as TiKV reports it in deadlock_key_hash.
    /// </summary>
    public bool TryRegister(ulong waiterTs, ulong holderTs, ulong keyHash, ByteString key, out WaitForKey deadlockKey)
    {
        if (_waitFor.TryGetValue(waiterTs, out var existing) && existing.TryGetValue(holderTs, out var keys))
        {
            keys.Add(new WaitForKey(keyHash, key));
            deadlockKey = default;
            return true;
        }

        if (FindPathBack(waiterTs, holderTs, out deadlockKey))
        {
            return false;
        }

        if (existing is null)
        {
            existing = [];
            _waitFor[waiterTs] = existing;
        }

        existing[holderTs] = [new WaitForKey(keyHash, key)];
        return true;
    }

    /// <summary>Removes one registration of the edge (the waiting request finished).</summary>
    public void Unregister(ulong waiterTs, ulong holderTs, ulong keyHash)
    {
        if (!_waitFor.TryGetValue(waiterTs, out var edges) || !edges.TryGetValue(holderTs, out var keys))
        {
            return;
        }

        var index = keys.FindIndex(k => k.Hash == keyHash);
        if (index >= 0)
        {
            keys.RemoveAt(index);
        }

        if (keys.Count == 0)
        {
            edges.Remove(holderTs);
            if (edges.Count == 0)
            {
                _waitFor.Remove(waiterTs);
            }
        }
    }

    private bool FindPathBack(ulong waiterTs, ulong holderTs, out WaitForKey deadlockKey)
    {
        var stack = new Stack<ulong>();
        var visited = new HashSet<ulong> { holderTs };
        stack.Push(holderTs);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (!_waitFor.TryGetValue(current, out var edges))
            {
                continue;
            }

            foreach (var (next, keys) in edges)
            {
                if (next == waiterTs)
                {
                    deadlockKey = keys[0];
                    return true;
                }

                if (visited.Add(next))
                {
                    stack.Push(next);
                }
            }
        }

        deadlockKey = default;
        return false;
    }
}
