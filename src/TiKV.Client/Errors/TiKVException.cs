namespace TiKV.Client;

/// <summary>
/// Base class of every error raised by the TiKV client. <see cref="IsRetryable"/> tells the caller whether
/// repeating the same operation later may succeed (the client has already retried within its budget).
/// </summary>
public class TiKVException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public TiKVException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public TiKVException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with a message and an explicit retryability.</summary>
    public TiKVException(string message, bool isRetryable, Exception? innerException = null)
        : base(message, innerException)
    {
        IsRetryable = isRetryable;
    }

    /// <summary>True when repeating the operation later may succeed.</summary>
    public virtual bool IsRetryable { get; }
}
