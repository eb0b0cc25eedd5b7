using TiKV.Proto.Errorpb;

namespace TiKV.Client.Locate.Internal;

internal static class RegionErrors
{
    private static readonly string[] KindNames = Enum.GetNames<RegionErrorKind>();

    /// <summary>Which variant of the region error is set (TiKV sets at most one besides <c>message</c>).</summary>
    public static RegionErrorKind Classify(Error error) => error switch
    {
        { NotLeader: not null } => RegionErrorKind.NotLeader,
        { EpochNotMatch: not null } => RegionErrorKind.EpochNotMatch,
        { RegionNotFound: not null } => RegionErrorKind.RegionNotFound,
        { KeyNotInRegion: not null } => RegionErrorKind.KeyNotInRegion,
        { ServerIsBusy: not null } => RegionErrorKind.ServerIsBusy,
        { StaleCommand: not null } => RegionErrorKind.StaleCommand,
        { StoreNotMatch: not null } => RegionErrorKind.StoreNotMatch,
        { RaftEntryTooLarge: not null } => RegionErrorKind.RaftEntryTooLarge,
        { MaxTimestampNotSynced: not null } => RegionErrorKind.MaxTimestampNotSynced,
        { ReadIndexNotReady: not null } => RegionErrorKind.ReadIndexNotReady,
        { ProposalInMergingMode: not null } => RegionErrorKind.ProposalInMergingMode,
        { DataIsNotReady: not null } => RegionErrorKind.DataIsNotReady,
        { RegionNotInitialized: not null } => RegionErrorKind.RegionNotInitialized,
        { DiskFull: not null } => RegionErrorKind.DiskFull,
        { RecoveryInProgress: not null } => RegionErrorKind.RecoveryInProgress,
        { FlashbackInProgress: not null } => RegionErrorKind.FlashbackInProgress,
        { FlashbackNotPrepared: not null } => RegionErrorKind.FlashbackNotPrepared,
        { IsWitness: not null } => RegionErrorKind.IsWitness,
        { MismatchPeerId: not null } => RegionErrorKind.MismatchPeerId,
        { BucketVersionNotMatch: not null } => RegionErrorKind.BucketVersionNotMatch,
        { UndeterminedResult: not null } => RegionErrorKind.UndeterminedResult,
        _ => RegionErrorKind.Unknown,
    };

    /// <summary>Cached names so metrics tags do not allocate.</summary>
    public static string Name(RegionErrorKind kind) => KindNames[(int)kind];
}
