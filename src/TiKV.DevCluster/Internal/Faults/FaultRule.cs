using TiKV.Grpc;

namespace TiKV.DevCluster.Internal.Faults;

/// <summary>One injected fault, how many more requests it applies to and how many it has applied to.</summary>
internal sealed class FaultRule
{
    private int _hits;

    /// <summary>Creates a rule.</summary>
    public FaultRule(FaultKind kind, ulong? storeId, string? method, int times)
    {
        Kind = kind;
        StoreId = storeId;
        Method = method;
        Remaining = times;
    }

    /// <summary>The effect.</summary>
    public FaultKind Kind { get; }

    /// <summary>The store it applies to; null = every store (always null for PD rules).</summary>
    public ulong? StoreId { get; }

    /// <summary>The method (RPC or BatchCommands sub-request name); null = every method.</summary>
    public string? Method { get; }

    /// <summary>The delay of a <see cref="FaultKind.Delay"/> rule.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The region error of a <see cref="FaultKind.RegionError"/> rule.</summary>
    public DevRegionErrorKind RegionError { get; init; }

    /// <summary>The status of a <see cref="FaultKind.Fail"/> rule.</summary>
    public StatusCode Status { get; init; }

    /// <summary>Requests it still applies to; negative = unlimited. Guarded by the injector's lock.</summary>
    public int Remaining { get; set; }

    /// <summary>Requests it has been applied to.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Whether the rule matches a request.</summary>
    public bool Matches(ulong storeId, string method) =>
        (StoreId is null || StoreId == storeId) &&
        (Method is null || string.Equals(Method, method, StringComparison.Ordinal));

    /// <summary>Counts one application.</summary>
    public void Hit() => Interlocked.Increment(ref _hits);
}
