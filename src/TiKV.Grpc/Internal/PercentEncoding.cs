using System.Buffers;
using System.Text;

namespace TiKV.Grpc.Internal;

/// <summary>
/// <c>grpc-message</c> is UTF-8, percent-encoded: every byte outside printable ASCII, and '%' itself, becomes %XX.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string value)
    {
        if (!NeedsEncoding(value))
        {
            return value;
        }

        int maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            int count = Encoding.UTF8.GetBytes(value, bytes);
            var builder = new StringBuilder(count * 3);
            for (int i = 0; i < count; i++)
            {
                byte b = bytes[i];
                if (b is >= 0x20 and <= 0x7E and not (byte)'%')
                {
                    builder.Append((char)b);
                }
                else
                {
                    builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
                }
            }

            return builder.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        byte[] bytes = ArrayPool<byte>.Shared.Rent(value.Length);
        try
        {
            int count = 0;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '%' && i + 2 < value.Length && TryHex(value[i + 1], out int high) && TryHex(value[i + 2], out int low))
                {
                    bytes[count++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else
                {
                    // Characters outside ASCII are not valid here; keep what fits in a byte rather than failing the call.
                    bytes[count++] = (byte)c;
                }
            }

            return Encoding.UTF8.GetString(bytes, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' or > '~' or '%')
            {
                return true;
            }
        }

        return false;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
