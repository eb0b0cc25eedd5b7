namespace TiKV.Grpc;

/// <summary>A gRPC call ended with a non-OK status.</summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/> with the status detail and optional trailers.</summary>
    public RpcException(StatusCode code, string detail, Metadata? trailers = null)
        : this(code, detail, trailers, null)
    {
    }

    /// <summary>Creates an exception for <paramref name="code"/> caused by <paramref name="innerException"/>.</summary>
    public RpcException(StatusCode code, string detail, Metadata? trailers, Exception? innerException)
        : base(FormatMessage(code, detail), innerException)
    {
        StatusCode = code;
        Detail = detail ?? string.Empty;
        Trailers = trailers ?? new Metadata();
    }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status detail (<c>grpc-message</c>), decoded.</summary>
    public string Detail { get; }

    /// <summary>The trailers the server sent with the status (empty when the status was produced locally).</summary>
    public Metadata Trailers { get; }

    private static string FormatMessage(StatusCode code, string? detail) =>
        $"Status(StatusCode={code}, Detail=\"{detail}\")";
}
