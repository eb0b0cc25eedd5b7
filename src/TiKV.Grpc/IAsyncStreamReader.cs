namespace TiKV.Grpc;

/// <summary>A stream of incoming messages, read one at a time.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNextAsync"/>.</summary>
    T Current { get; }

    /// <summary>Reads the next message; <see langword="false"/> when the peer has ended the stream.</summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);
}
