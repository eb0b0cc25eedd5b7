namespace TiKV.Client;

/// <summary>An error talking to the placement driver (PD): unreachable endpoints, a PD-side error, a cluster id mismatch.</summary>
public sealed class PdException : TiKVException
{
    /// <summary>Creates the exception.</summary>
    public PdException(string message, bool isRetryable, Exception? innerException = null)
        : base(message, isRetryable, innerException)
    {
    }
}
