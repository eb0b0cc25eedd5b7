namespace TiKV.Grpc;

/// <summary>Per-call options.</summary>
/// <param name="Timeout">
/// How long the call may take. Sent to the server as <c>grpc-timeout</c> and enforced locally: when it expires the
/// call is cancelled and fails with <see cref="StatusCode.DeadlineExceeded"/>. <see langword="null"/> means no deadline.
/// </param>
/// <param name="Headers">Request metadata sent with the call.</param>
public readonly record struct CallOptions(TimeSpan? Timeout = null, Metadata? Headers = null);
