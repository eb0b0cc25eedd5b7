using System.Buffers;

namespace TiKV.DevCluster.Storage;

/// <summary>
/// The value of one write-ahead log row: the operations of one group commit, in order, each as its kind and column
/// family bytes then its key, value (puts) or end (delete-ranges) as length-prefixed byte strings (7-bit varint
/// lengths, like RocksDB's write batch). Storing a group as one row costs one insert per commit instead of one per
/// operation; SQLite still provides the file, the transactions and the crash recovery.
/// </summary>
internal static class DurableLogRecord
{
    /// <summary>Appends <paramref name="operations"/> to the record being built in <paramref name="into"/>.</summary>
    public static void Write(ArrayBufferWriter<byte> into, IReadOnlyList<WriteOperation> operations)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var header = into.GetSpan(2);
            header[0] = (byte)op.Kind;
            header[1] = (byte)op.Cf;
            into.Advance(2);
            WriteBytes(into, op.Key);
            switch (op.Kind)
            {
                case WriteOperationKind.Put:
                    WriteBytes(into, op.Value);
                    break;
                case WriteOperationKind.DeleteRange:
                    WriteBytes(into, op.End);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Decodes a record, calling <paramref name="apply"/> for each operation in order.</summary>
    public static void Read(ReadOnlySpan<byte> record, long rowSequence, Action<WriteOperation> apply)
    {
        var position = 0;
        while (position < record.Length)
        {
            if (record.Length - position < 2)
            {
                throw Corrupt(rowSequence, "an operation header is cut short");
            }

            var kind = (WriteOperationKind)record[position];
            var cf = (ColumnFamily)record[position + 1];
            position += 2;
            if (kind > WriteOperationKind.DeleteRange || cf > ColumnFamily.Write)
            {
                throw Corrupt(rowSequence, $"unknown operation {(int)kind} or column family {(int)cf}");
            }

            var key = ReadBytes(record, ref position, rowSequence);
            var value = kind == WriteOperationKind.Put ? ReadBytes(record, ref position, rowSequence) : [];
            var end = kind == WriteOperationKind.DeleteRange ? ReadBytes(record, ref position, rowSequence) : [];
            apply(new WriteOperation(kind, cf, key, value, end));
        }
    }

    private static void WriteBytes(ArrayBufferWriter<byte> into, byte[] bytes)
    {
        var span = into.GetSpan(5 + bytes.Length);
        var length = (uint)bytes.Length;
        var written = 0;
        while (length >= 0x80)
        {
            span[written++] = (byte)(length | 0x80);
            length >>= 7;
        }

        span[written++] = (byte)length;
        bytes.CopyTo(span[written..]);
        into.Advance(written + bytes.Length);
    }

    private static byte[] ReadBytes(ReadOnlySpan<byte> record, ref int position, long rowSequence)
    {
        uint length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= record.Length || shift > 28)
            {
                throw Corrupt(rowSequence, "a length is cut short or too long");
            }

            var b = record[position++];
            length |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        if (length > (uint)(record.Length - position))
        {
            throw Corrupt(rowSequence, $"a {length}-byte string runs past the record's end");
        }

        var bytes = record.Slice(position, (int)length).ToArray();
        position += (int)length;
        return bytes;
    }

    private static InvalidDataException Corrupt(long rowSequence, string problem)
        => new($"Write-ahead log row {rowSequence} is corrupt: {problem}.");
}
