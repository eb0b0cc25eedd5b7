using System.Globalization;

namespace TiKV.Grpc.Internal;

/// <summary>Header names, values and conversions of the gRPC-over-HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string UserAgent = "tikv-dotnet-grpc/0.1";

    /// <summary>The 5-byte message prefix: a compressed flag and a big-endian length.</summary>
    public const int HeaderSize = 5;

    /// <summary>Default message size limit on both sides (TiKV raises gRPC's 4 MiB default as well).</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    private static readonly string[] StatusStrings = BuildStatusStrings();

    public static string StatusString(StatusCode code)
    {
        int value = (int)code;
        return (uint)value < (uint)StatusStrings.Length ? StatusStrings[value] : value.ToString(CultureInfo.InvariantCulture);
    }

    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    /// <summary>
    /// Headers that belong to the protocol and never appear in user-visible <see cref="Metadata"/>.
    /// </summary>
    public static bool IsReservedHeader(string name) =>
        name.Length == 0
        || name[0] == ':'
        || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("date", StringComparison.OrdinalIgnoreCase)
        || name.Equals("server", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The deadline a call actually runs with: none for <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/>,
    /// otherwise the timeout clamped to what a timer can hold (about 24 days), never negative.
    /// </summary>
    public static TimeSpan? EffectiveTimeout(TimeSpan? timeout)
    {
        if (timeout is not { } value || value == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        TimeSpan max = TimeSpan.FromMilliseconds(int.MaxValue);
        return value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;
    }

    /// <summary>Encodes a timeout as <c>grpc-timeout</c>: at most 8 digits and a unit, rounded up.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        long ticks = Math.Max(timeout.Ticks, 0);
        long micros = (ticks + 9) / 10;
        if (micros < 100_000_000)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        long millis = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (millis < 100_000_000)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        long seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        if (seconds < 100_000_000)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        long hours = Math.Min((seconds + 3599) / 3600, 99_999_999);
        return hours.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Parses a <c>grpc-timeout</c> value; <see langword="null"/> when malformed.</summary>
    public static TimeSpan? ParseTimeout(string? value)
    {
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return null;
        }

        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            return null;
        }

        return value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => null,
        };
    }

    /// <summary>Maps a non-200 HTTP status to a gRPC status, as the gRPC HTTP/2 spec prescribes.</summary>
    public static StatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>Maps an HTTP/2 RST_STREAM or GOAWAY error code to a gRPC status, as the gRPC HTTP/2 spec prescribes.</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x0 or 0x1 or 0x2 or 0x3 or 0x4 or 0x6 or 0x9 => StatusCode.Internal,
        0x7 => StatusCode.Unavailable,
        0x8 => StatusCode.Cancelled,
        0xb => StatusCode.ResourceExhausted,
        0xc => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    public static bool TryParseStatus(string? value, out StatusCode code)
    {
        if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            code = (StatusCode)number;
            return true;
        }

        code = StatusCode.Unknown;
        return false;
    }

    private static string[] BuildStatusStrings()
    {
        var strings = new string[17];
        for (int i = 0; i < strings.Length; i++)
        {
            strings[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return strings;
    }
}
