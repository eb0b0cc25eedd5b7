using TiKV.DevCluster.Mvcc;
using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Mvcc;

public sealed class MvccTxnTests
{
    private static byte[] Key(int i) => MvccKey.Encode(System.Text.Encoding.ASCII.GetBytes($"key{i}"));

    private static LockRecord Lock(ulong startTs) => new(LockKind.Put, "p"u8.ToArray(), startTs, 3000);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(20)]
    public void The_newest_pending_change_of_each_key_wins_however_many_keys_the_command_touches(int keys)
    {
        var txn = new MvccTxn(10);
        for (var i = 0; i < keys; i++)
        {
            txn.PutLock(Key(i), Lock(10));
        }

        // Change every key again: the first key twice over (lock, then unlock, then lock with another ts).
        txn.UnlockKey(Key(0), 11);
        txn.PutLock(Key(0), Lock(12));
        for (var i = 1; i < keys; i++)
        {
            txn.UnlockKey(Key(i), 0);
        }

        Assert.True(txn.TryGetPendingLock(Key(0), out var first));
        Assert.Equal(12UL, first!.StartTs);
        for (var i = 1; i < keys; i++)
        {
            Assert.True(txn.TryGetPendingLock(Key(i), out var pending));
            Assert.Null(pending);
        }

        Assert.False(txn.TryGetPendingLock(Key(keys + 1), out _));
        Assert.Equal(keys, txn.ReleasedCount);
        Assert.Equal(11UL, txn.ReleasedAt(0).CommitTs);
        Assert.Equal(Key(0), txn.ReleasedAt(0).EncodedKey);
        if (keys > 1)
        {
            Assert.Equal(Key(keys - 1), txn.ReleasedAt(keys - 1).EncodedKey);
        }

        Assert.Equal((keys * 2) + 1, txn.Batch.Count);
    }

    [Fact]
    public void A_returned_state_comes_back_cleared_for_the_next_command()
    {
        var txn = MvccTxn.Rent(10, 2);
        txn.PutLock(Key(1), Lock(10));
        txn.UnlockKey(Key(2), 20);
        txn.Return();

        var next = MvccTxn.Rent(30, 8);
        Assert.Same(txn, next);
        Assert.Equal(30UL, next.StartTs);
        Assert.True(next.IsEmpty);
        Assert.Equal(0, next.ReleasedCount);
        Assert.False(next.TryGetPendingLock(Key(1), out _));
        Assert.False(next.TryGetPendingLock(Key(2), out _));
        next.PutWrite(Key(3), 31, WriteRecord.Encode(WriteKind.Put, 30, "v"u8.ToArray(), hasOverlappedRollback: false));
        Assert.Single(next.Batch.Operations);
        Assert.Equal(ColumnFamily.Write, next.Batch.Operations[0].Cf);
    }
}
