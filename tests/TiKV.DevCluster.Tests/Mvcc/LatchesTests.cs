using TiKV.DevCluster.Mvcc;

namespace TiKV.DevCluster.Tests.Mvcc;

public sealed class LatchesTests
{
    [Fact]
    public async Task A_new_engine_creates_no_latch_slot_until_a_command_takes_one()
    {
        var latches = new Latches(16384);
        Assert.Equal(0, latches.CreatedSlots);
        var slot = latches.SlotOf("k"u8);
        using (await latches.AcquireAsync(slot, CancellationToken.None))
        {
            Assert.Equal(1, latches.CreatedSlots);
        }

        Assert.Equal(1, latches.CreatedSlots);
    }

    [Fact]
    public async Task A_lazily_created_slot_still_serializes_its_holders()
    {
        var latches = new Latches(64);
        var slot = latches.SlotOf("k"u8);
        var first = await latches.AcquireAsync(slot, CancellationToken.None);
        var second = latches.AcquireAsync(slot, CancellationToken.None).AsTask();
        await Task.Yield();
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();

        // Several slots at once, taken from a fresh set of slots by racing commands: each holder is alone.
        int[] slots = [1, 5, 9];
        var inside = 0;
        var overlaps = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var guard = await latches.AcquireAsync(slots, CancellationToken.None);
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(0, overlaps);
    }

    [Fact]
    public void Slot_count_must_be_a_power_of_two()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Latches(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Latches(100));
    }
}
