using TiKV.Client.Locate.Internal;
using TiKV.Proto.Errorpb;

namespace TiKV.Client;

/// <summary>
/// A region error (errorpb.Error) that the client could not or must not recover from by itself,
/// e.g. RaftEntryTooLarge or a region in flashback.
/// </summary>
public sealed class RegionException : TiKVException
{
    /// <summary>Creates the exception from the store's region error.</summary>
    public RegionException(Error regionError, ulong regionId, string message)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(regionError);
        RegionError = regionError;
        RegionId = regionId;
        Kind = RegionErrors.Classify(regionError).ToString();
    }

    /// <summary>The region error exactly as the store sent it.</summary>
    public Error RegionError { get; }

    /// <summary>The region the request was addressed to.</summary>
    public ulong RegionId { get; }

    /// <summary>The name of the errorpb variant, e.g. "RaftEntryTooLarge".</summary>
    public string Kind { get; }

    /// <inheritdoc />
    public override bool IsRetryable => RegionErrors.Classify(RegionError) is not (RegionErrorKind.RaftEntryTooLarge
        or RegionErrorKind.FlashbackInProgress or RegionErrorKind.FlashbackNotPrepared);
}
