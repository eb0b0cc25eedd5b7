namespace TiKV.Grpc.Internal;

/// <summary>
/// The outcome of a successful unary call with the server's metadata. Internal: TiKV and PD send no response
/// metadata the client needs; the tests use it to check metadata on the wire.
/// </summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
/// <param name="Response">The response message.</param>
/// <param name="ResponseHeaders">Metadata from the response headers.</param>
/// <param name="Trailers">Metadata from the response trailers.</param>
internal readonly record struct UnaryCallResult<TResponse>(TResponse Response, Metadata ResponseHeaders, Metadata Trailers);
