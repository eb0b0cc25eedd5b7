namespace TiKV.Client;

/// <summary>
/// The request may or may not have been applied (the connection failed after it was sent, or the store
/// answered UndeterminedResult). The client never retries such a request itself because repeating a
/// compare-and-swap or a commit could change its outcome; read the data to learn what happened.
/// </summary>
public sealed class UndeterminedResultException : TiKVException
{
    /// <summary>Creates the exception.</summary>
    public UndeterminedResultException(string message, Exception? innerException = null)
        : base(message, isRetryable: false, innerException)
    {
    }
}
