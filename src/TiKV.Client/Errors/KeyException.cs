using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

/// <summary>A key-level error (kvrpcpb.KeyError) returned by a store: locked, write conflict, deadlock, ...</summary>
public class KeyException : TiKVException
{
    /// <summary>Creates the exception from the store's key error.</summary>
    public KeyException(KeyError keyError, string message)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(keyError);
        KeyError = keyError;
    }

    /// <summary>The key error exactly as the store sent it.</summary>
    public KeyError KeyError { get; }

    /// <inheritdoc />
    public override bool IsRetryable => KeyError.Locked is not null || KeyError.Conflict is not null || !string.IsNullOrEmpty(KeyError.Retryable);
}
