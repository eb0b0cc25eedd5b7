using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

/// <summary>The transaction-wide properties of a prewrite (TiKV's TransactionProperties).</summary>
internal sealed class PrewriteContext
{
    public PrewriteContext(PrewriteRequest request)
    {
        StartTs = request.StartVersion;
        Primary = request.PrimaryLock;
        ForUpdateTs = request.ForUpdateTs;
        IsPessimistic = request.ForUpdateTs != 0;
        SkipConstraintCheck = request.SkipConstraintCheck;
        TxnSize = request.TxnSize;
        LockTtl = request.LockTtl;
        MinCommitTs = request.MinCommitTs;
        MaxCommitTs = request.MaxCommitTs;
        UseAsyncCommit = request.UseAsyncCommit;
        RequestSecondaries = request.Secondaries;
        TryOnePc = request.TryOnePc;
        AssertionLevel = request.AssertionLevel;
        IsRetryRequest = request.Context?.IsRetryRequest ?? false;
    }

    public ulong StartTs { get; }

    public ByteString Primary { get; }

    public ulong ForUpdateTs { get; }

    public bool IsPessimistic { get; }

    public bool SkipConstraintCheck { get; }

    public ulong TxnSize { get; }

    public ulong LockTtl { get; }

    public ulong MinCommitTs { get; }

    public ulong MaxCommitTs { get; }

    /// <summary>Async commit; cleared when the prewrite falls back to 2PC.</summary>
    public bool UseAsyncCommit { get; set; }

    /// <summary>The secondaries sent with an async-commit prewrite.</summary>
    public IReadOnlyList<ByteString> RequestSecondaries { get; }

    /// <summary>1PC; cleared when the prewrite falls back to 2PC.</summary>
    public bool TryOnePc { get; set; }

    public AssertionLevel AssertionLevel { get; }

    public bool IsRetryRequest { get; }

    /// <summary>Async commit and 1PC need a min_commit_ts from every key.</summary>
    public bool NeedsMinCommitTs => UseAsyncCommit || TryOnePc;
}
