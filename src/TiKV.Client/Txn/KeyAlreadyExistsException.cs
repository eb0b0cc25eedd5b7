using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

/// <summary>
/// An insert found its key already present (kvrpcpb.AlreadyExist, raised at prewrite, or when a pessimistic
/// transaction locks the key).
/// </summary>
public sealed class KeyAlreadyExistsException : KeyException
{
    /// <summary>Creates the exception from the store's key error.</summary>
    public KeyAlreadyExistsException(KeyError keyError, string message)
        : base(keyError, message)
    {
        Key = keyError.AlreadyExist?.Key.ToByteArray() ?? throw new ArgumentException("The key error carries no AlreadyExist.", nameof(keyError));
    }

    /// <summary>The key that exists.</summary>
    public byte[] Key { get; }

    /// <inheritdoc />
    public override bool IsRetryable => false;
}
