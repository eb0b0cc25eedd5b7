namespace TiKV.DevCluster.Mvcc;

/// <summary>The MVCC failures commands distinguish (a subset of TiKV's mvcc::ErrorInner).</summary>
internal enum MvccErrorKind
{
    KeyIsLocked,
    WriteConflict,
    AlreadyExist,
    TxnLockNotFound,
    TxnNotFound,
    CommitTsExpired,
    CommitTsTooLarge,
    AssertionFailed,
    PrimaryMismatch,
    Deadlock,
    Committed,
    PessimisticLockNotFound,
    PessimisticLockRolledBack,
    LockTypeNotMatch,
    InvalidTxnTso,
    BadRequest,
}
