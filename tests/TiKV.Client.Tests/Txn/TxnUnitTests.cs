using TiKV.Client.Txn.Internal;
using TiKV.Proto.Kvrpcpb;
using static TiKV.Client.Tests.Txn.TxnTestKeys;

namespace TiKV.Client.Tests.Txn;

/// <summary>Transactional machinery that needs no cluster: lock TTLs, key bounds, the write buffer, statuses, options.</summary>
public class TxnUnitTests
{
    [Theory]
    [InlineData(100, 0, 3_000)]
    [InlineData(16 * 1024 - 1, 0, 3_000)]
    [InlineData(1024 * 1024, 0, 6_000)]
    [InlineData(4 * 1024 * 1024, 0, 12_000)]
    [InlineData(10 * 1024 * 1024, 0, 18_973)]
    [InlineData(100 * 1024 * 1024, 0, 20_000)]
    [InlineData(100, 1_500, 4_500)]
    public void Lock_ttl_grows_with_size_as_client_go_computes_it(long size, int elapsedMs, ulong expected)
    {
        Assert.Equal(expected, TxnBudgets.LockTtlMs(size, TimeSpan.FromMilliseconds(elapsedMs)));
    }

    [Fact]
    public void Region_bounds_decode_to_the_smallest_raw_key_on_their_side()
    {
        Assert.Empty(TxnKeys.DecodeBound([]));
        Assert.Equal(K("abc"), TxnKeys.DecodeBound(Encoded("abc")));
        Assert.Equal(K("abcdefgh-long"), TxnKeys.DecodeBound(Encoded("abcdefgh-long")));

        // An encoded key followed by a timestamp: the next raw key after it.
        byte[] withTs = [.. Encoded("k"), 0, 0, 0, 0, 0, 0, 0, 1];
        Assert.Equal([.. K("k"), 0], TxnKeys.DecodeBound(withTs));

        // A raw split key (not an encoding): used as is, without trailing zeros, and it sorts encodings correctly.
        var bound = TxnKeys.DecodeBound(K("m\0\0"));
        Assert.Equal(K("m"), bound);
        Assert.True(TxnKeys.Encode(bound).AsSpan().SequenceCompareTo(K("m\0\0")) >= 0);
    }

    [Fact]
    public void Write_buffer_turns_writes_and_locks_into_sorted_mutations()
    {
        var buffer = new WriteBuffer();
        Set(buffer, "d", BufferOp.Delete);
        Set(buffer, "a", BufferOp.Put, "1");
        Set(buffer, "c", BufferOp.Insert, "3");
        Set(buffer, "b", BufferOp.Lock);
        buffer.GetOrAdd(K("e")).Locked = true;
        var locked = Set(buffer, "f", BufferOp.Insert, "6");
        locked.Locked = true;

        var optimistic = buffer.Mutations(pessimistic: false);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], optimistic.Select(m => S(m.Key)));
        Assert.Equal([Op.Put, Op.Lock, Op.Insert, Op.Del, Op.Lock, Op.Insert], optimistic.Select(m => m.Op));
        Assert.All(optimistic, m => Assert.False(m.PessimisticLocked));
        Assert.Empty(optimistic[1].Value);
        Assert.Equal(Encoded("a"), optimistic[0].Encoded);

        var pessimistic = buffer.Mutations(pessimistic: true);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], pessimistic.Select(m => S(m.Key)));
        Assert.Equal(Op.Lock, pessimistic[4].Op);
        Assert.True(pessimistic[4].PessimisticLocked);
        Assert.Equal(Op.Put, pessimistic[5].Op);

        Assert.Equal(["f", "e", "d"], buffer.Range(K("d"), K("g"), descending: true).Select(p => S(p.Key)));
        Assert.Equal(["a", "b"], buffer.Range(K(""), K("c"), descending: false).Select(p => S(p.Key)));
        Assert.Equal(["e", "f"], buffer.LockedKeys().Select(S));
    }

    [Fact]
    public void Buffer_entries_decide_reads_only_when_they_know_the_value()
    {
        Assert.True(new BufferEntry { Op = BufferOp.Put, Value = K("v") }.TryRead(out var put));
        Assert.Equal(K("v"), put);
        Assert.True(new BufferEntry { Op = BufferOp.Delete }.TryRead(out var deleted));
        Assert.Null(deleted);
        Assert.False(new BufferEntry { Op = BufferOp.Lock }.TryRead(out _));
        Assert.True(new BufferEntry { Locked = true, HasLockedValue = true, LockedValue = K("latest") }.TryRead(out var latest));
        Assert.Equal(K("latest"), latest);
    }

    [Fact]
    public void Transaction_statuses_follow_check_txn_status_answers()
    {
        Assert.True(TxnStatus.Committed(5).IsCommitted);
        Assert.True(TxnStatus.RolledBack.IsRolledBack);
        Assert.True(new TxnStatus(0, 0, Proto.Kvrpcpb.Action.TtlexpireRollback, null).IsDetermined);
        Assert.False(new TxnStatus(0, 0, Proto.Kvrpcpb.Action.TtlexpirePessimisticRollback, null).IsDetermined);
        Assert.False(new TxnStatus(3000, 0, Proto.Kvrpcpb.Action.MinCommitTspushed, null).IsDetermined);
    }

    [Fact]
    public void Transaction_options_are_validated_and_copied()
    {
        var options = new TransactionOptions { Mode = TransactionMode.Pessimistic, LockWaitTimeout = Timeout.InfiniteTimeSpan };
        var copy = options.Snapshot();
        options.Mode = TransactionMode.Optimistic;
        Assert.Equal(TransactionMode.Pessimistic, copy.Mode);
        Assert.Throws<ArgumentException>(() => new TransactionOptions { Mode = (TransactionMode)7 }.Snapshot());
        Assert.Throws<ArgumentException>(() => new TransactionOptions { LockTtl = TimeSpan.Zero }.Snapshot());
        Assert.Equal(TimeSpan.FromSeconds(50), new TransactionOptions().LockWaitTimeout);
        Assert.False(new TransactionOptions().UseAsyncCommit);
        Assert.False(new TransactionOptions().TryOnePhaseCommit);
    }

    private static BufferEntry Set(WriteBuffer buffer, string key, BufferOp op, string value = "")
    {
        var entry = buffer.GetOrAdd(K(key));
        entry.Op = op;
        entry.Value = K(value);
        return entry;
    }
}
