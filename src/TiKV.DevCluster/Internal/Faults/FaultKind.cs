namespace TiKV.DevCluster.Internal.Faults;

/// <summary>What an injected fault does to a request.</summary>
internal enum FaultKind
{
    /// <summary>Answer with a ServerIsBusy region error instead of executing.</summary>
    ServerIsBusy,

    /// <summary>Wait before executing.</summary>
    Delay,

    /// <summary>Execute, then never answer (the caller times out; the effect may have happened).</summary>
    DropResponse,

    /// <summary>Answer with a region error of <see cref="FaultRule.RegionError"/> instead of executing.</summary>
    RegionError,

    /// <summary>Fail the call with the gRPC status <see cref="FaultRule.Status"/> instead of executing.</summary>
    Fail,
}
