namespace TiKV.Grpc.Internal;

/// <summary>Receives a unary call's response headers and trailers when the caller asked for them.</summary>
internal sealed class ResponseMetadata
{
    public Metadata Headers { get; set; } = new();

    public Metadata Trailers { get; set; } = new();
}
