namespace TiKV.Client.Locate.Internal;

/// <summary>The errorpb.Error variant that is set; errorpb has no oneof, so the client classifies by field.</summary>
internal enum RegionErrorKind
{
    Unknown,
    NotLeader,
    RegionNotFound,
    KeyNotInRegion,
    EpochNotMatch,
    ServerIsBusy,
    StaleCommand,
    StoreNotMatch,
    RaftEntryTooLarge,
    MaxTimestampNotSynced,
    ReadIndexNotReady,
    ProposalInMergingMode,
    DataIsNotReady,
    RegionNotInitialized,
    DiskFull,
    RecoveryInProgress,
    FlashbackInProgress,
    FlashbackNotPrepared,
    IsWitness,
    MismatchPeerId,
    BucketVersionNotMatch,
    UndeterminedResult,
}
