using TiKV.DevCluster.Internal.Faults;

namespace TiKV.DevCluster;

/// <summary>One injected fault: how often it has been applied, and a way to take it back.</summary>
public sealed class DevFault
{
    private readonly FaultInjector _injector;
    private readonly FaultRule _rule;

    internal DevFault(FaultInjector injector, FaultRule rule)
    {
        _injector = injector;
        _rule = rule;
    }

    /// <summary>How many requests the fault has been applied to so far.</summary>
    public int Hits => _rule.Hits;

    /// <summary>Whether it still applies to future requests (false once used up, removed or cleared).</summary>
    public bool IsActive => _injector.IsActive(_rule);

    /// <summary>Stops the fault from applying to further requests.</summary>
    public void Remove() => _injector.Remove(_rule);
}
