using TiKV.Proto.Tikvpb;

namespace TiKV.Client.Rpc.Internal;

/// <summary>A request waiting in, or in flight on, a BatchCommands connection; completes with its response.</summary>
internal sealed class BatchEntry : TaskCompletionSource<BatchCommandsResponse.Types.Response>
{
    public BatchEntry(BatchConnection owner, BatchCommandsRequest.Types.Request request, long deadline)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Owner = owner;
        Request = request;
        Deadline = deadline;
    }

    public BatchConnection Owner { get; }

    public BatchCommandsRequest.Types.Request Request { get; }

    /// <summary>TimeProvider timestamp after which the request fails with DeadlineExceeded.</summary>
    public long Deadline { get; }

    /// <summary>Request id on the stream; 0 until sent.</summary>
    public ulong Id { get; set; }

    /// <summary>The stream the request was written to; null until sent.</summary>
    public BatchStreamState? Stream { get; set; }

    public CancellationTokenRegistration Registration { get; set; }
}
