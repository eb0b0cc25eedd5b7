namespace TiKV.DevCluster.Mvcc;

/// <summary>Little helpers for the compact binary layout of lock and write records (LEB128 varints).</summary>
internal static class RecordCodec
{
    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int WriteVarint(Span<byte> buffer, int offset, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[offset++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[offset++] = (byte)value;
        return offset;
    }

    public static int WriteBytes(Span<byte> buffer, int offset, ReadOnlySpan<byte> bytes)
    {
        offset = WriteVarint(buffer, offset, (ulong)bytes.Length);
        bytes.CopyTo(buffer[offset..]);
        return offset + bytes.Length;
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> buffer, ref int offset)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (offset >= buffer.Length || shift > 63)
            {
                throw new FormatException("Truncated or overlong varint in MVCC record.");
            }

            var b = buffer[offset++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
        }
    }

    public static ReadOnlyMemory<byte> ReadBytes(byte[] buffer, ref int offset)
    {
        var length = ReadVarint(buffer, ref offset);
        if (length > (ulong)(buffer.Length - offset))
        {
            throw new FormatException("Byte string runs past the end of an MVCC record.");
        }

        var slice = new ReadOnlyMemory<byte>(buffer, offset, (int)length);
        offset += (int)length;
        return slice;
    }
}
