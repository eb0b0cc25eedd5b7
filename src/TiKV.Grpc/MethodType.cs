namespace TiKV.Grpc;

/// <summary>The streaming kind of a gRPC method, as declared in its service definition.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary,
    /// <summary>A request stream, one response.</summary>
    ClientStreaming,
    /// <summary>One request, a response stream.</summary>
    ServerStreaming,
    /// <summary>A request stream and a response stream, running concurrently.</summary>
    DuplexStreaming,
}
