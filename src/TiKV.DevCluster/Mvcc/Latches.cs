using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// TiKV scheduler latches: a fixed array of slots addressed by key hash. A write command takes the slots of all
/// its keys in ascending slot order (so two commands can never deadlock) and holds them until its writes are
/// applied, which serializes commands that touch the same keys while unrelated commands run in parallel.
/// A slot's semaphore is created the first time a command takes it, in chunks of slots allocated on first use, so
/// an engine starts with one small array instead of thousands of semaphores; the slot semantics are the same.
/// </summary>
internal sealed class Latches
{
    private const int ChunkBits = 8;
    private const int ChunkMask = (1 << ChunkBits) - 1;

    private readonly SemaphoreSlim?[]?[] _chunks;
    private readonly int _mask;

    public Latches(int slotCount)
    {
        if (slotCount <= 0 || (slotCount & (slotCount - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, "Latch slot count must be a positive power of two.");
        }

        _chunks = new SemaphoreSlim?[]?[((slotCount - 1) >> ChunkBits) + 1];

        _mask = slotCount - 1;
    }

    /// <summary>The slot of an (encoded or raw) key; callers must use one form consistently.</summary>
    public int SlotOf(ReadOnlySpan<byte> key) => ByteKeyComparer.Instance.GetHashCode(key) & _mask;

    /// <summary>Sorted, distinct slots for a set of keys.</summary>
    public int[] SlotsOf(IReadOnlyList<byte[]> keys)
    {
        var slots = new int[keys.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = SlotOf(keys[i]);
        }

        Array.Sort(slots);
        var distinct = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            if (i == 0 || slots[i] != slots[distinct - 1])
            {
                slots[distinct++] = slots[i];
            }
        }

        return distinct == slots.Length ? slots : slots[..distinct];
    }

    /// <summary>Takes one slot.</summary>
    public ValueTask<LatchGuard> AcquireAsync(int slot, CancellationToken cancellationToken)
    {
        var semaphore = Slot(slot);
        if (semaphore.Wait(0, CancellationToken.None))
        {
            return new ValueTask<LatchGuard>(new LatchGuard(this, slot, null));
        }

        return AcquireSlowAsync(slot, cancellationToken);
    }

    /// <summary>Takes all <paramref name="sortedSlots"/> in order.</summary>
    public async ValueTask<LatchGuard> AcquireAsync(int[] sortedSlots, CancellationToken cancellationToken)
    {
        var acquired = 0;
        try
        {
            for (; acquired < sortedSlots.Length; acquired++)
            {
                var semaphore = Slot(sortedSlots[acquired]);
                if (!semaphore.Wait(0, CancellationToken.None))
                {
                    await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            for (var i = 0; i < acquired; i++)
            {
                Slot(sortedSlots[i]).Release();
            }

            throw;
        }

        return new LatchGuard(this, -1, sortedSlots);
    }

    /// <summary>Number of slots whose semaphore exists (taken at least once).</summary>
    internal int CreatedSlots => _chunks.Sum(chunk => chunk?.Count(s => s is not null) ?? 0);

    internal void Release(int slot) => _chunks[slot >> ChunkBits]![slot & ChunkMask]!.Release();

    private async ValueTask<LatchGuard> AcquireSlowAsync(int slot, CancellationToken cancellationToken)
    {
        await Slot(slot).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new LatchGuard(this, slot, null);
    }

    private SemaphoreSlim Slot(int slot)
    {
        var chunk = Volatile.Read(ref _chunks[slot >> ChunkBits]);
        if (chunk is null)
        {
            var fresh = new SemaphoreSlim?[Math.Min(1 << ChunkBits, _mask + 1)];
            chunk = Interlocked.CompareExchange(ref _chunks[slot >> ChunkBits], fresh, null) ?? fresh;
        }

        var semaphore = Volatile.Read(ref chunk[slot & ChunkMask]);
        if (semaphore is not null)
        {
            return semaphore;
        }

        // Racing first users agree on one semaphore (and one chunk); a loser's fresh one was never taken, so
        // dropping it is harmless.
        var created = new SemaphoreSlim(1, 1);
        return Interlocked.CompareExchange(ref chunk[slot & ChunkMask], created, null) ?? created;
    }
}
