namespace TiKV.Client.Rpc.Internal;

/// <summary>One open stream of a connection and whether it has failed.</summary>
internal sealed class BatchStreamState
{
    private int _broken;
    private int _receivedAny;

    public BatchStreamState(IBatchStream stream) => Stream = stream;

    public IBatchStream Stream { get; }

    public Task? ReceiveLoop { get; set; }

    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    /// <summary>Whether the store ever answered on this stream (a stream that dies at once counts as a failed connect).</summary>
    public bool ReceivedAny => Volatile.Read(ref _receivedAny) != 0;

    public void MarkReceived() => Volatile.Write(ref _receivedAny, 1);

    /// <summary>True for the first caller only.</summary>
    public bool TryMarkBroken() => Interlocked.Exchange(ref _broken, 1) == 0;
}
