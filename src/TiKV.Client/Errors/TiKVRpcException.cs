using TiKV.Grpc;

namespace TiKV.Client;

/// <summary>A transport-level failure of a gRPC call to a store or PD (status code other than OK).</summary>
public sealed class TiKVRpcException : TiKVException
{
    /// <summary>Creates the exception.</summary>
    public TiKVRpcException(string target, StatusCode statusCode, string message, Exception? innerException = null)
        : base($"{message} ({target}: {statusCode})", innerException)
    {
        Target = target;
        StatusCode = statusCode;
    }

    /// <summary>The address the call went to.</summary>
    public string Target { get; }

    /// <summary>The gRPC status of the failed call.</summary>
    public StatusCode StatusCode { get; }

    /// <inheritdoc />
    public override bool IsRetryable => StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
        or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Cancelled or StatusCode.Unknown;
}
