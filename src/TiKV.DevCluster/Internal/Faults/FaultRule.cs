namespace TiKV.DevCluster.Internal.Faults;

/// <summary>One injected fault and how many more requests it applies to.</summary>
internal sealed class FaultRule
{
    /// <summary>Creates a rule.</summary>
    public FaultRule(FaultKind kind, ulong? storeId, string? method, TimeSpan delay, int times)
    {
        Kind = kind;
        StoreId = storeId;
        Method = method;
        Delay = delay;
        Remaining = times;
    }

    /// <summary>The effect.</summary>
    public FaultKind Kind { get; }

    /// <summary>The store it applies to; null = every store.</summary>
    public ulong? StoreId { get; }

    /// <summary>The method (tikvpb RPC or BatchCommands sub-request name); null = every method.</summary>
    public string? Method { get; }

    /// <summary>The delay of a <see cref="FaultKind.Delay"/> rule.</summary>
    public TimeSpan Delay { get; }

    /// <summary>Requests it still applies to; negative = unlimited.</summary>
    public int Remaining { get; set; }

    /// <summary>Whether the rule matches a request.</summary>
    public bool Matches(ulong storeId, string method) =>
        (StoreId is null || StoreId == storeId) &&
        (Method is null || string.Equals(Method, method, StringComparison.Ordinal));
}
