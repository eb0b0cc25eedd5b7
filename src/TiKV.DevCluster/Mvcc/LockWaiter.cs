using Google.Protobuf;

namespace TiKV.DevCluster.Mvcc;

/// <summary>One pessimistic lock request waiting for a key's lock to go away.</summary>
internal sealed class LockWaiter
{
    public LockWaiter(byte[] encodedKey, ByteString rawKey, ulong startTs, ulong holderTs, ulong keyHash, bool resumable)
    {
        EncodedKey = encodedKey;
        RawKey = rawKey;
        StartTs = startTs;
        HolderTs = holderTs;
        KeyHash = keyHash;
        Resumable = resumable;
    }

    public byte[] EncodedKey { get; }

    public ByteString RawKey { get; }

    /// <summary>start_ts of the waiting transaction.</summary>
    public ulong StartTs { get; }

    /// <summary>start_ts of the transaction holding the lock.</summary>
    public ulong HolderTs { get; }

    public ulong KeyHash { get; }

    /// <summary>
    /// A force-lock request (TiKV's resumable entry): woken, it retries locking; a legacy request instead ends with
    /// WriteConflict and the client retries.
    /// </summary>
    public bool Resumable { get; }

    /// <summary>The key queue's legacy wake-up count when this waiter joined it.</summary>
    public int LegacyWakeUpIndex { get; set; }

    public TaskCompletionSource<LockWaitOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ITimer? Timer { get; set; }
}
