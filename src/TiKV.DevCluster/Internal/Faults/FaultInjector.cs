namespace TiKV.DevCluster.Internal.Faults;

/// <summary>
/// The active fault rules of one target (the stores, or PD); it is consulted once per request (and per
/// BatchCommands sub-request or TSO request).
/// </summary>
internal sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];
    private volatile bool _any;

    /// <summary>Adds a rule.</summary>
    public void Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
            _any = true;
        }
    }

    /// <summary>Removes one rule; false when it was no longer active.</summary>
    public bool Remove(FaultRule rule)
    {
        lock (_gate)
        {
            var removed = _rules.Remove(rule);
            _any = _rules.Count > 0;
            return removed;
        }
    }

    /// <summary>Whether <paramref name="rule"/> still applies to future requests.</summary>
    public bool IsActive(FaultRule rule)
    {
        lock (_gate)
        {
            return _rules.Contains(rule);
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _any = false;
        }
    }

    /// <summary>
    /// The first rule matching the request, consuming one of its uses and counting a hit, or null. Rules are
    /// applied in the order they were added.
    /// </summary>
    public FaultRule? Take(ulong storeId, string method)
    {
        if (!_any)
        {
            return null;
        }

        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var rule = _rules[i];
                if (!rule.Matches(storeId, method))
                {
                    continue;
                }

                if (rule.Remaining > 0)
                {
                    rule.Remaining--;
                    if (rule.Remaining == 0)
                    {
                        _rules.RemoveAt(i);
                        _any = _rules.Count > 0;
                    }
                }

                rule.Hit();
                return rule;
            }

            return null;
        }
    }
}
