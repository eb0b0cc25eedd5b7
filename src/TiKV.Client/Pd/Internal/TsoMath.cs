using TiKV.Proto.Pdpb;

namespace TiKV.Client.Pd.Internal;

/// <summary>TiKV timestamps: <c>physical_ms &lt;&lt; 18 | logical</c>.</summary>
internal static class TsoMath
{
    public const int LogicalBits = 18;

    public static ulong Compose(long physicalMs, long logical) => ((ulong)physicalMs << LogicalBits) | (ulong)logical;

    public static long PhysicalMs(ulong timestamp) => (long)(timestamp >> LogicalBits);

    public static long Logical(ulong timestamp) => (long)(timestamp & ((1UL << LogicalBits) - 1));

    /// <summary>
    /// PD answers a TsoRequest{count=N} with the highest timestamp of the batch; the batch is
    /// <c>[logical - N + 1, logical]</c> at that physical time, so caller <paramref name="index"/> gets
    /// <c>logical - N + 1 + index</c>.
    /// </summary>
    public static ulong ForCaller(Timestamp last, int count, int index)
    {
        var logical = last.Logical - count + 1 + index;
        if (logical < 0 || index >= count)
        {
            throw new PdException($"PD returned timestamp logical {last.Logical} for a batch of {count}: the batch would start below zero.", isRetryable: true);
        }

        return Compose(last.Physical, logical);
    }
}
