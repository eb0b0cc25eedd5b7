using System.Diagnostics.CodeAnalysis;
using TiKV.DevCluster.Internal.Raw;
using TiKV.DevCluster.Internal.Regions;
using TiKV.DevCluster.Storage;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The checks every raw command runs before it touches data, in the order TiKV's <c>Storage::raw_*</c> runs them.
/// Reads: API version, then the region context, then the column family (<c>rawkv_cf</c>). Writes: API version,
/// for single-key writes the key size, then the column family; the region context comes later, with the keys.
/// </summary>
internal sealed partial class TikvService
{
    /// <summary>
    /// How a raw command reports an API-version or column-family error: as the response's error text (Display
    /// form), or as a key error's <c>abort</c> in Rust's Debug form (batch reads and scans).
    /// </summary>
    private enum RawErrorForm
    {
        Display,
        Debug,
    }

    /// <summary>
    /// The checks of a raw read. On success gives the region to serve from and the column family; otherwise the
    /// refusal to answer with.
    /// </summary>
    private bool RejectRawRead(
        Context? context,
        string command,
        string cfName,
        RawErrorForm form,
        [NotNullWhen(false)] out RegionState? region,
        out ColumnFamily cf,
        out RawRejection rejection)
    {
        cf = default;
        var apiError = form == RawErrorForm.Display
            ? CheckApiVersion(context, command, raw: true)
            : CheckApiVersionDebug(context, command, raw: true);
        if (apiError is not null)
        {
            region = null;
            rejection = RawRejection.Text(apiError);
            return true;
        }

        if (RejectContext(context, readOnly: true, out region, out var regionError))
        {
            rejection = RawRejection.Region(regionError);
            return true;
        }

        if (!RawStore.TryParseCf(cfName, out cf))
        {
            region = null;
            rejection = RawRejection.Text(form == RawErrorForm.Display ? InvalidCf(cfName) : $"Error(InvalidCf(\"{cfName}\"))");
            return true;
        }

        rejection = default;
        return false;
    }

    /// <summary>
    /// The checks of a raw write before its region: API version (<c>raw_atomic_store</c> for compare-and-swap
    /// writes), the size of <paramref name="key"/> when given (single-key writes check it before the column
    /// family), then the column family. Returns the error text, or null with the column family.
    /// </summary>
    private static string? CheckRawWrite(Context? context, string command, bool forCas, string cfName, ReadOnlyMemory<byte>? key, out ColumnFamily cf)
    {
        cf = default;
        var error = CheckApiVersion(context, forCas ? "raw_atomic_store" : command, raw: true)
            ?? (key is { } single ? CheckKeySize([single]) : null);
        if (error is not null)
        {
            return error;
        }

        return RawStore.TryParseCf(cfName, out cf) ? null : InvalidCf(cfName);
    }

    private static string InvalidCf(string cf) => $"invalid cf name: {cf}";
}
