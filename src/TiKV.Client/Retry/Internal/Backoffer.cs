using TiKV.Client.Diagnostics.Internal;

namespace TiKV.Client.Retry.Internal;

/// <summary>
/// The retry budget of one client operation, shared by all the region requests it fans out to
/// (client-go's Backoffer with maxSleep). Each kind keeps its own attempt counter; the total sleep is
/// bounded by the budget, and when it is spent the operation fails with the last cause.
/// Thread-safe: parallel region batches of one operation back off on the same instance.
/// </summary>
internal sealed class Backoffer
{
    private static readonly int KindCount = Enum.GetValues<BackoffKind>().Length;

    private readonly TimeProvider _timeProvider;
    private readonly Random _random;

    // Created by the first backoff: most operations never back off, and one is created per operation.
    // The array doubles as the lock of the budget.
    private int[]? _attempts;
    private long _totalSleptMs;

    public Backoffer(string operation, TimeSpan budget, TimeProvider timeProvider, Random? random = null)
    {
        Operation = operation;
        Budget = budget;
        _timeProvider = timeProvider;
        _random = random ?? Random.Shared;
    }

    public string Operation { get; }

    public TimeSpan Budget { get; }

    public long TotalSleptMs => Interlocked.Read(ref _totalSleptMs);

    public Exception? LastError { get; private set; }

    public int Attempts(BackoffKind kind)
    {
        var attempts = Volatile.Read(ref _attempts);
        return attempts is null ? 0 : Volatile.Read(ref attempts[(int)kind]);
    }

    /// <summary>
    /// Computes the next sleep for <paramref name="kind"/> and charges it to the budget; throws
    /// <see cref="BackoffExhaustedException"/> when the budget is already spent. The sleep is cut to what is
    /// left of the budget, so the final attempt happens right at the limit (as client-go does).
    /// </summary>
    public TimeSpan Reserve(BackoffKind kind, Exception cause, ulong? regionId = null, string? store = null, TimeSpan? maxSleep = null)
    {
        ArgumentNullException.ThrowIfNull(cause);
        var attempts = AttemptCounters();
        lock (attempts)
        {
            LastError = cause;
            var budgetMs = (long)Budget.TotalMilliseconds;
            var slept = _totalSleptMs;
            if (slept >= budgetMs)
            {
                throw new BackoffExhaustedException(Operation, Budget, regionId, store, cause);
            }

            var attempt = attempts[(int)kind]++;
            var sleepMs = Math.Min(BackoffPolicy.For(kind).SleepMs(attempt, _random), budgetMs - slept);
            if (maxSleep is { } cap)
            {
                // client-go's BackoffWithMaxSleep: no point sleeping past the moment a lock is known to expire.
                sleepMs = Math.Min(sleepMs, Math.Max(1, (long)Math.Ceiling(cap.TotalMilliseconds)));
            }

            _totalSleptMs = slept + sleepMs;
            return TimeSpan.FromMilliseconds(sleepMs);
        }
    }

    /// <summary>Charges the next sleep of <paramref name="kind"/> to the budget and sleeps it.</summary>
    public ValueTask BackoffAsync(BackoffKind kind, Exception cause, ulong? regionId, string? store, CancellationToken cancellationToken) =>
        BackoffAsync(kind, cause, regionId, store, maxSleep: null, cancellationToken);

    /// <summary>As <see cref="BackoffAsync(BackoffKind, Exception, ulong?, string?, CancellationToken)"/>, sleeping at most <paramref name="maxSleep"/>.</summary>
    public async ValueTask BackoffAsync(BackoffKind kind, Exception cause, ulong? regionId, string? store, TimeSpan? maxSleep, CancellationToken cancellationToken)
    {
        var sleep = Reserve(kind, cause, regionId, store, maxSleep);
        ClientMetrics.RecordBackoff(kind, sleep);
        if (sleep > TimeSpan.Zero)
        {
            await Task.Delay(sleep, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private int[] AttemptCounters()
    {
        var attempts = Volatile.Read(ref _attempts);
        if (attempts is null)
        {
            var created = new int[KindCount];
            attempts = Interlocked.CompareExchange(ref _attempts, created, null) ?? created;
        }

        return attempts;
    }
}
