namespace TiKV.Client;

/// <summary>
/// The operation kept failing with retryable errors until its backoff budget was spent
/// (client-go's "backoffer.maxSleep exceeded"). The message names the operation, the region and store
/// last tried and the last cause, which is also the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class BackoffExhaustedException : TiKVException
{
    /// <summary>Creates the exception.</summary>
    public BackoffExhaustedException(string operation, TimeSpan budget, ulong? regionId, string? store, Exception lastCause)
        : base(Format(operation, budget, regionId, store, lastCause), lastCause)
    {
        Operation = operation;
        Budget = budget;
        RegionId = regionId;
        Store = store;
    }

    /// <summary>The client operation, e.g. "RawPut".</summary>
    public string Operation { get; }

    /// <summary>The total backoff sleep allowed for the operation.</summary>
    public TimeSpan Budget { get; }

    /// <summary>The region last tried, when one was involved.</summary>
    public ulong? RegionId { get; }

    /// <summary>The store (address or id) last tried, when one was involved.</summary>
    public string? Store { get; }

    /// <inheritdoc />
    public override bool IsRetryable => true;

    private static string Format(string operation, TimeSpan budget, ulong? regionId, string? store, Exception lastCause)
    {
        var where = (regionId, store) switch
        {
            ({ } r, { } s) => $" (region {r}, store {s})",
            ({ } r, null) => $" (region {r})",
            (null, { } s) => $" (store {s})",
            _ => string.Empty,
        };
        return $"{operation} gave up after its {budget.TotalMilliseconds:0} ms backoff budget{where}; last error: {lastCause.Message}";
    }
}
