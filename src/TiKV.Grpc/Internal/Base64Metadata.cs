using System.Buffers;

namespace TiKV.Grpc.Internal;

/// <summary>Decodes binary metadata values. gRPC C-core sends base64 without padding, so both forms are accepted.</summary>
internal static class Base64Metadata
{
    public static byte[]? TryDecode(string text)
    {
        int length = text.Length;
        int padded = (length + 3) & ~3;
        char[]? rented = null;
        Span<char> chars = padded <= 512 ? stackalloc char[padded] : (rented = ArrayPool<char>.Shared.Rent(padded)).AsSpan(0, padded);
        try
        {
            text.AsSpan().CopyTo(chars);
            chars[length..].Fill('=');
            byte[] bytes = new byte[padded / 4 * 3];
            if (!Convert.TryFromBase64Chars(chars, bytes, out int written))
            {
                return null;
            }

            return written == bytes.Length ? bytes : bytes.AsSpan(0, written).ToArray();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
