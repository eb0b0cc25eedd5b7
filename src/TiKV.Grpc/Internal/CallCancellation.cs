namespace TiKV.Grpc.Internal;

/// <summary>
/// Combines a caller's token with a call deadline. Allocates only when a deadline is set, so calls without one
/// run on the caller's token directly.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "It is disposable; the rule misreads readonly structs.")]
internal readonly struct CallCancellation : IDisposable
{
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource? _source;
    private readonly CancellationTokenRegistration _registration;

    public CallCancellation(TimeSpan? timeout, TimeProvider timeProvider, CancellationToken callerToken)
    {
        _callerToken = callerToken;
        if (GrpcProtocol.EffectiveTimeout(timeout) is { } delay)
        {
            _source = new CancellationTokenSource(delay, timeProvider);
            if (callerToken.CanBeCanceled)
            {
                _registration = callerToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
            }

            Token = _source.Token;
        }
        else
        {
            Token = callerToken;
        }
    }

    public CancellationToken Token { get; }

    public bool DeadlineExceeded => _source is { IsCancellationRequested: true } && !_callerToken.IsCancellationRequested;

    public bool IsCancellationRequested => Token.IsCancellationRequested;

    public void Dispose()
    {
        _registration.Dispose();
        _source?.Dispose();
    }
}
