using TiKV.DevCluster.Internal;
using TiKV.DevCluster.Internal.Faults;
using TiKV.DevCluster.Internal.Pd;
using TiKV.DevCluster.Internal.Store;
using TiKV.Grpc;

namespace TiKV.DevCluster;

/// <summary>
/// Faults injected into the stores and PD of a <see cref="DevCluster"/> for tests. A store rule matches a store
/// (null = any) and a method (null = any), named as the <c>tikvpb.Tikv</c> RPC (<c>"RawGet"</c>, <c>"KvPrewrite"</c>)
/// or, for requests inside <c>BatchCommands</c>, the same name as its unary counterpart. A PD rule matches a
/// <c>pdpb.PD</c> method (<c>"GetRegion"</c>, <c>"Tso"</c>: each request on the TSO stream counts). Rules apply in
/// the order they were added, each to <c>times</c> requests (<see cref="Timeout.Infinite"/> = until removed or
/// <see cref="Clear"/>). Every method returns the fault, whose <see cref="DevFault.Hits"/> tells how often it was served.
/// </summary>
public sealed class DevFaults
{
    private readonly ClusterRuntime _runtime;

    internal DevFaults(ClusterRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>Matching requests get a <c>ServerIsBusy</c> region error instead of being executed.</summary>
    /// <exception cref="ArgumentException">No such store or method.</exception>
    public DevFault InjectServerIsBusy(ulong? storeId = null, string? method = null, int times = 1) =>
        AddStoreRule(new FaultRule(FaultKind.ServerIsBusy, ValidateStore(storeId), ValidateStoreMethod(method), ValidateTimes(times)));

    /// <summary>Matching requests wait <paramref name="delay"/> before they are executed.</summary>
    /// <exception cref="ArgumentException">No such store or method.</exception>
    public DevFault InjectDelay(ulong? storeId, string? method, TimeSpan delay, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return AddStoreRule(new FaultRule(FaultKind.Delay, ValidateStore(storeId), ValidateStoreMethod(method), ValidateTimes(times)) { Delay = delay });
    }

    /// <summary>
    /// Matching requests are executed but never answered, as when a response is lost: the caller times out
    /// without knowing whether the request took effect.
    /// </summary>
    /// <exception cref="ArgumentException">No such store or method.</exception>
    public DevFault DropResponses(ulong? storeId = null, string? method = null, int times = 1) =>
        AddStoreRule(new FaultRule(FaultKind.DropResponse, ValidateStore(storeId), ValidateStoreMethod(method), ValidateTimes(times)));

    /// <summary>
    /// Matching requests are answered with a region error of <paramref name="kind"/> instead of being executed. The
    /// error is built from the region's state at that moment, as TiKV builds it (EpochNotMatch carries the current
    /// regions, NotLeader the current leader, KeyNotInRegion the region's range).
    /// </summary>
    /// <exception cref="ArgumentException">No such store or method, or an unknown kind.</exception>
    public DevFault InjectRegionError(ulong? storeId, string? method, DevRegionErrorKind kind, int times = 1)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"Unknown region error kind {(int)kind}.", nameof(kind));
        }

        return AddStoreRule(new FaultRule(FaultKind.RegionError, ValidateStore(storeId), ValidateStoreMethod(method), ValidateTimes(times)) { RegionError = kind });
    }

    /// <summary>
    /// Matching PD calls fail with the gRPC <paramref name="status"/> instead of being executed; on the TSO stream
    /// the stream ends with it.
    /// </summary>
    /// <exception cref="ArgumentException">No such PD method, or <paramref name="status"/> is OK.</exception>
    public DevFault InjectPdError(string? method, StatusCode status = StatusCode.Unavailable, int times = 1)
    {
        if (status == StatusCode.OK || !Enum.IsDefined(status))
        {
            throw new ArgumentException($"An injected failure needs a non-OK gRPC status, not {status}.", nameof(status));
        }

        return AddPdRule(new FaultRule(FaultKind.Fail, null, ValidatePdMethod(method), ValidateTimes(times)) { Status = status });
    }

    /// <summary>Matching PD calls (or TSO requests) wait <paramref name="delay"/> before they are executed.</summary>
    /// <exception cref="ArgumentException">No such PD method.</exception>
    public DevFault InjectPdDelay(string? method, TimeSpan delay, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return AddPdRule(new FaultRule(FaultKind.Delay, null, ValidatePdMethod(method), ValidateTimes(times)) { Delay = delay });
    }

    /// <summary>Removes every injected fault, of the stores and of PD.</summary>
    public void Clear()
    {
        _runtime.Faults.Clear();
        _runtime.PdFaults.Clear();
    }

    private DevFault AddStoreRule(FaultRule rule)
    {
        _runtime.Faults.Add(rule);
        return new DevFault(_runtime.Faults, rule);
    }

    private DevFault AddPdRule(FaultRule rule)
    {
        _runtime.PdFaults.Add(rule);
        return new DevFault(_runtime.PdFaults, rule);
    }

    private ulong? ValidateStore(ulong? storeId) =>
        storeId is { } id && _runtime.GetStore(id) is null
            ? throw new ArgumentException($"Store {id} does not exist.", nameof(storeId))
            : storeId;

    private static string? ValidateStoreMethod(string? method)
    {
        if (method is null)
        {
            return null;
        }

        if (method == "BatchCommands")
        {
            throw new ArgumentException(
                "Faults apply to each request inside BatchCommands: name the request's unary method (e.g. \"RawGet\") instead.", nameof(method));
        }

        return TikvService.Service.FindMethodByName(method) is null
            ? throw new ArgumentException($"'{method}' is not a method of tikvpb.Tikv.", nameof(method))
            : method;
    }

    private static string? ValidatePdMethod(string? method) =>
        method is not null && PdServer.Service.FindMethodByName(method) is null
            ? throw new ArgumentException($"'{method}' is not a method of pdpb.PD.", nameof(method))
            : method;

    private static int ValidateTimes(int times) =>
        times == 0 || times < Timeout.Infinite
            ? throw new ArgumentOutOfRangeException(nameof(times), times, "times must be positive or Timeout.Infinite.")
            : times;
}
