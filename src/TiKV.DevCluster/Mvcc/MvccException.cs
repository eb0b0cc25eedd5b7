using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>
/// An MVCC action failed; carries the kvrpcpb.KeyError the command reports (TiKV's extract_key_error).
/// Only error paths throw; successful reads and writes never do.
/// </summary>
internal sealed class MvccException : Exception
{
    public MvccException()
        : this(MvccErrorKind.BadRequest, new KeyError { Abort = "unknown MVCC error" })
    {
    }

    public MvccException(string message)
        : this(MvccErrorKind.BadRequest, new KeyError { Abort = message })
    {
    }

    public MvccException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = MvccErrorKind.BadRequest;
        KeyError = new KeyError { Abort = message };
    }

    public MvccException(MvccErrorKind kind, KeyError keyError, ulong commitTs = 0)
        : base(Describe(kind, keyError))
    {
        Kind = kind;
        KeyError = keyError;
        CommitTs = commitTs;
    }

    public MvccErrorKind Kind { get; }

    public KeyError KeyError { get; }

    /// <summary>For <see cref="MvccErrorKind.Committed"/>: the commit ts found.</summary>
    public ulong CommitTs { get; }

    private static string Describe(MvccErrorKind kind, KeyError keyError)
        => keyError.Abort.Length > 0 ? keyError.Abort : keyError.Retryable.Length > 0 ? keyError.Retryable : kind.ToString();
}
