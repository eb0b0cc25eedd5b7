using TiKV.DevCluster.Internal.Faults;

namespace TiKV.DevCluster;

/// <summary>
/// Faults injected into the stores of a <see cref="DevCluster"/> for tests. A rule matches a store (null = any)
/// and a method (null = any), named as the <c>tikvpb.Tikv</c> RPC (<c>"RawGet"</c>, <c>"KvPrewrite"</c>) or, for
/// requests inside <c>BatchCommands</c>, the same name as its unary counterpart. Rules apply in the order they
/// were added, each to <c>times</c> requests (<see cref="Timeout.Infinite"/> = until <see cref="Clear"/>).
/// </summary>
public sealed class DevFaults
{
    private readonly FaultInjector _injector;

    internal DevFaults(FaultInjector injector)
    {
        _injector = injector;
    }

    /// <summary>Matching requests get a <c>ServerIsBusy</c> region error instead of being executed.</summary>
    public void InjectServerIsBusy(ulong? storeId = null, string? method = null, int times = 1) =>
        _injector.Add(new FaultRule(FaultKind.ServerIsBusy, storeId, method, TimeSpan.Zero, Validate(times)));

    /// <summary>Matching requests wait <paramref name="delay"/> before they are executed.</summary>
    public void InjectDelay(ulong? storeId, string? method, TimeSpan delay, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _injector.Add(new FaultRule(FaultKind.Delay, storeId, method, delay, Validate(times)));
    }

    /// <summary>
    /// Matching requests are executed but never answered, as when a response is lost: the caller times out
    /// without knowing whether the request took effect.
    /// </summary>
    public void DropResponses(ulong? storeId = null, string? method = null, int times = 1) =>
        _injector.Add(new FaultRule(FaultKind.DropResponse, storeId, method, TimeSpan.Zero, Validate(times)));

    /// <summary>Removes every injected fault.</summary>
    public void Clear() => _injector.Clear();

    private static int Validate(int times)
    {
        if (times == 0 || times < Timeout.Infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(times), times, "times must be positive or Timeout.Infinite.");
        }

        return times;
    }
}
