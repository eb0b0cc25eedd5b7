namespace TiKV.Grpc;

/// <summary>The outcome of a successful unary call with the server's metadata.</summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
/// <param name="Response">The response message.</param>
/// <param name="ResponseHeaders">Metadata from the response headers.</param>
/// <param name="Trailers">Metadata from the response trailers.</param>
public readonly record struct UnaryCallResult<TResponse>(TResponse Response, Metadata ResponseHeaders, Metadata Trailers);
