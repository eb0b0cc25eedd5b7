using TiKV.Proto.Errorpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// Why a raw request was refused before it touched data: a region error, or the error text TiKV reports in the
/// response's <c>error</c> field (or, for reads that answer with key errors, as an <c>abort</c>).
/// </summary>
/// <param name="RegionError">The region error, or null when the refusal is an error text.</param>
/// <param name="Message">The error text; empty when the refusal is a region error.</param>
internal readonly record struct RawRejection(Error? RegionError, string Message)
{
    /// <summary>A refusal with a region error.</summary>
    public static RawRejection Region(Error error) => new(error, string.Empty);

    /// <summary>A refusal with an error text.</summary>
    public static RawRejection Text(string message) => new(null, message);
}
