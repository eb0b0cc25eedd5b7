namespace TiKV.Grpc;

/// <summary>The response stream of a server call. Writes from several tasks are serialized.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IServerStreamWriter<in T>
{
    /// <summary>Writes one message and flushes it to the network.</summary>
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one message; with <paramref name="flush"/> false it stays buffered until a later flushing write or the
    /// end of the call, so a batch of messages costs one flush.
    /// </summary>
    ValueTask WriteAsync(T message, bool flush, CancellationToken cancellationToken = default) => WriteAsync(message, cancellationToken);
}
