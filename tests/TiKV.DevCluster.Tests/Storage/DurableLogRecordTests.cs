using TiKV.DevCluster.Storage;

namespace TiKV.DevCluster.Tests.Storage;

public sealed class DurableLogRecordTests
{
    [Fact]
    public void A_record_reads_back_every_operation_in_order()
    {
        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Write, [1, 2], new byte[300]);
        batch.Delete(ColumnFamily.Lock, []);
        batch.DeleteRange(ColumnFamily.Default, [0], []);
        batch.Put(ColumnFamily.Default, [], []);
        var record = new System.Buffers.ArrayBufferWriter<byte>();
        DurableLogRecord.Write(record, batch.Operations);
        DurableLogRecord.Write(record, batch.Operations);

        var read = new List<WriteOperation>();
        DurableLogRecord.Read(record.WrittenSpan, 8, read.Add);

        Assert.Equal(8, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            var expected = batch.Operations[i % 4];
            Assert.Equal(expected.Kind, read[i].Kind);
            Assert.Equal(expected.Cf, read[i].Cf);
            Assert.Equal(expected.Key, read[i].Key);
            Assert.Equal(expected.Value, read[i].Value);
            Assert.Equal(expected.End, read[i].End);
        }
    }

    [Fact]
    public void A_damaged_record_is_refused_with_its_row()
    {
        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Default, [1, 2, 3], [4, 5, 6]);
        var record = new System.Buffers.ArrayBufferWriter<byte>();
        DurableLogRecord.Write(record, batch.Operations);
        var bytes = record.WrittenSpan.ToArray();

        var cut = Assert.Throws<InvalidDataException>(() => DurableLogRecord.Read(bytes.AsSpan(0, bytes.Length - 1), 42, _ => { }));
        Assert.Contains("row 42", cut.Message, StringComparison.Ordinal);

        bytes[1] = 9;
        var unknown = Assert.Throws<InvalidDataException>(() => DurableLogRecord.Read(bytes, 43, _ => { }));
        Assert.Contains("column family 9", unknown.Message, StringComparison.Ordinal);
    }
}
