namespace TiKV.Client.Retry.Internal;

/// <summary>Exponential backoff from <see cref="BaseMs"/> to <see cref="CapMs"/>, optionally with equal jitter.</summary>
internal readonly record struct BackoffPolicy(int BaseMs, int CapMs, bool EqualJitter)
{
    private static readonly BackoffPolicy[] Policies = Build();

    private static readonly string[] Names = Enum.GetNames<BackoffKind>();

    public static BackoffPolicy For(BackoffKind kind) => Policies[(int)kind];

    public static string Name(BackoffKind kind) => Names[(int)kind];

    /// <summary>
    /// The sleep for the given zero-based attempt: <c>v = min(cap, base·2^attempt)</c>, then with equal jitter
    /// <c>v/2 + rand[0, v/2)</c> as in client-go's <c>expo</c>/<c>EqualJitter</c>.
    /// </summary>
    public int SleepMs(int attempt, Random random)
    {
        var exp = BaseMs * Math.Pow(2, Math.Min(attempt, 30));
        var v = (int)Math.Min(CapMs, exp);
        if (!EqualJitter || v < 2)
        {
            return v;
        }

        var half = v / 2;
        return half + random.Next(half);
    }

    private static BackoffPolicy[] Build()
    {
        var policies = new BackoffPolicy[Enum.GetValues<BackoffKind>().Length];
        policies[(int)BackoffKind.RegionMiss] = new(2, 500, EqualJitter: false);
        policies[(int)BackoffKind.RegionScheduling] = new(2, 500, EqualJitter: false);
        policies[(int)BackoffKind.PdRpc] = new(500, 3000, EqualJitter: true);
        policies[(int)BackoffKind.TiKVRpc] = new(100, 2000, EqualJitter: true);
        policies[(int)BackoffKind.TxnLock] = new(100, 3000, EqualJitter: true);
        policies[(int)BackoffKind.ServerBusy] = new(2000, 10000, EqualJitter: true);
        policies[(int)BackoffKind.StoreNotReady] = new(2, 500, EqualJitter: false);
        policies[(int)BackoffKind.TxnNotFound] = new(2, 500, EqualJitter: false);
        return policies;
    }
}
