using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Rpc.Internal;

/// <summary>One BatchCommands bidi stream (a seam so the batching logic can be tested without a network).</summary>
internal interface IBatchStream : IAsyncDisposable
{
    /// <summary>Writes one batch and flushes it to the transport.</summary>
    ValueTask WriteAsync(BatchCommandsRequest request, CancellationToken cancellationToken);

    /// <summary>The next response batch, or null when the server ended the stream.</summary>
    ValueTask<BatchCommandsResponse?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Half-closes the stream (no more requests).</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
