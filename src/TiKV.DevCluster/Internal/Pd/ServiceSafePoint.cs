namespace TiKV.DevCluster.Internal.Pd;

/// <summary>A service GC safe point: a service's promise that it still needs versions at or after <see cref="SafePoint"/>.</summary>
/// <param name="ServiceId">The service that set it.</param>
/// <param name="ExpiredAt">Unix seconds after which it no longer counts (<see cref="long.MaxValue"/> = never).</param>
/// <param name="SafePoint">The timestamp.</param>
internal sealed record ServiceSafePoint(string ServiceId, long ExpiredAt, ulong SafePoint);
