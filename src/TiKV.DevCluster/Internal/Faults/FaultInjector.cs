namespace TiKV.DevCluster.Internal.Faults;

/// <summary>The active fault rules; stores consult it once per request (and per BatchCommands sub-request).</summary>
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
    /// The first rule matching the request, consuming one of its uses, or null. Rules are applied in the order
    /// they were added.
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

                return rule;
            }

            return null;
        }
    }
}
