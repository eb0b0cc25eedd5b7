namespace TiKV.DevCluster.Mvcc;

/// <summary>TiKV's TxnCommitRecord: the result of looking for a transaction's record at a key.</summary>
internal readonly record struct TxnCommitRecord(
    TxnCommitRecordKind Kind,
    ulong CommitTs,
    WriteRecord? Write,
    WriteRecord? OverlappedWrite,
    ulong OverlappedGcFence)
{
    public bool IsCommitted => Kind == TxnCommitRecordKind.SingleRecord && Write!.Kind != WriteKind.Rollback;

    public bool IsRolledBack => Kind == TxnCommitRecordKind.OverlappedRollback
        || (Kind == TxnCommitRecordKind.SingleRecord && Write!.Kind == WriteKind.Rollback);
}
