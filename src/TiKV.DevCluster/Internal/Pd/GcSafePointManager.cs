namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// PD's GC safe point and service safe points (the classic, pre-keyspace API):
/// the GC safe point never moves backwards; service safe points carry a TTL and hold GC back while alive.
/// </summary>
internal sealed class GcSafePointManager
{
    /// <summary>The service id TiDB's GC worker uses; PD requires its TTL to be infinite.</summary>
    public const string GcWorkerServiceId = "gc_worker";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServiceSafePoint> _services = new(StringComparer.Ordinal);
    private ulong _gcSafePoint;

    /// <summary>Creates a manager with persisted state.</summary>
    public GcSafePointManager(ulong gcSafePoint = 0, IEnumerable<ServiceSafePoint>? services = null)
    {
        _gcSafePoint = gcSafePoint;
        foreach (var service in services ?? [])
        {
            _services[service.ServiceId] = service;
        }
    }

    /// <summary>Raised (outside the lock) after any change.</summary>
    public event Action? Changed;

    /// <summary>The current GC safe point.</summary>
    public ulong GcSafePoint
    {
        get
        {
            lock (_gate)
            {
                return _gcSafePoint;
            }
        }
    }

    /// <summary>A copy of the stored service safe points.</summary>
    public IReadOnlyList<ServiceSafePoint> Services
    {
        get
        {
            lock (_gate)
            {
                return [.. _services.Values];
            }
        }
    }

    /// <summary>
    /// PD's <c>UpdateGCSafePoint</c>: moves the safe point forward and returns the resulting one; an older value
    /// leaves it unchanged (PD logs a warning and answers with the current safe point).
    /// </summary>
    public ulong UpdateGcSafePoint(ulong safePoint)
    {
        bool changed;
        ulong result;
        lock (_gate)
        {
            changed = safePoint > _gcSafePoint;
            if (changed)
            {
                _gcSafePoint = safePoint;
            }

            result = _gcSafePoint;
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return result;
    }

    /// <summary>
    /// PD's <c>UpdateServiceGCSafePoint</c>: a TTL ≤ 0 removes the service's safe point; a safe point below the
    /// current minimum is ignored; otherwise it is stored with <c>now + ttl</c> as expiry. Returns the minimum live
    /// service safe point (PD creates <c>gc_worker</c> at 0 when none exists).
    /// </summary>
    /// <exception cref="ArgumentException">The service id is empty, or gc_worker's TTL is not infinite.</exception>
    public ServiceSafePoint UpdateServiceSafePoint(string serviceId, ulong safePoint, long ttl, long nowUnixSeconds)
    {
        ServiceSafePoint min;
        lock (_gate)
        {
            if (ttl <= 0)
            {
                _services.Remove(serviceId);
            }

            min = LoadMin(nowUnixSeconds);
            if (ttl <= 0 || safePoint < min.SafePoint)
            {
                return min;
            }

            if (serviceId.Length == 0)
            {
                throw new ArgumentException("service id of service safepoint cannot be empty", nameof(serviceId));
            }

            var expiredAt = long.MaxValue - nowUnixSeconds <= ttl ? long.MaxValue : nowUnixSeconds + ttl;
            if (serviceId == GcWorkerServiceId && expiredAt != long.MaxValue)
            {
                throw new ArgumentException("TTL of gc_worker's service safe point must be infinity", nameof(ttl));
            }

            _services[serviceId] = new ServiceSafePoint(serviceId, expiredAt, safePoint);
            if (serviceId == min.ServiceId)
            {
                min = LoadMin(nowUnixSeconds);
            }
        }

        Changed?.Invoke();
        return min;
    }

    /// <summary>
    /// The timestamp below which MVCC versions may be collected: the GC safe point, held back by any live service
    /// safe point other than gc_worker's own (gc_worker's is the input TiDB uses to compute the GC safe point).
    /// </summary>
    public ulong EffectiveSafePoint(long nowUnixSeconds)
    {
        lock (_gate)
        {
            var result = _gcSafePoint;
            foreach (var service in _services.Values)
            {
                if (service.ServiceId != GcWorkerServiceId && service.ExpiredAt > nowUnixSeconds && service.SafePoint < result)
                {
                    result = service.SafePoint;
                }
            }

            return result;
        }
    }

    private ServiceSafePoint LoadMin(long nowUnixSeconds)
    {
        foreach (var expired in _services.Values.Where(s => s.ExpiredAt <= nowUnixSeconds).ToList())
        {
            _services.Remove(expired.ServiceId);
        }

        if (_services.Count == 0)
        {
            var initial = new ServiceSafePoint(GcWorkerServiceId, long.MaxValue, 0);
            _services[GcWorkerServiceId] = initial;
            return initial;
        }

        return _services.Values.MinBy(s => s.SafePoint)!;
    }
}
