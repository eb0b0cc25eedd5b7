namespace TiKV.DevCluster.Mvcc;

/// <summary>Held latch slots; disposing releases them.</summary>
internal readonly struct LatchGuard : IDisposable
{
    private readonly Latches? _latches;
    private readonly int _slot;
    private readonly int[]? _slots;

    public LatchGuard(Latches latches, int slot, int[]? slots)
    {
        _latches = latches;
        _slot = slot;
        _slots = slots;
    }

    public void Dispose()
    {
        if (_latches is null)
        {
            return;
        }

        if (_slots is null)
        {
            _latches.Release(_slot);
            return;
        }

        foreach (var slot in _slots)
        {
            _latches.Release(slot);
        }
    }
}
