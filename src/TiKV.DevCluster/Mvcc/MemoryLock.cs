namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// An async-commit or 1PC lock being prewritten, published before the transaction reads max_ts so that a
/// concurrent reader either pushes max_ts before the prewrite reads it, or sees this lock (TiKV's
/// concurrency_manager KeyHandle). <see cref="Lock"/> is null until min_commit_ts has been fixed.
/// </summary>
internal sealed class MemoryLock
{
    public MemoryLock(byte[] encodedKey, byte[] rawKey)
    {
        EncodedKey = encodedKey;
        RawKey = rawKey;
    }

    public byte[] EncodedKey { get; }

    public byte[] RawKey { get; }

    /// <summary>Guarded by locking this object.</summary>
    public LockRecord? Lock { get; set; }
}
