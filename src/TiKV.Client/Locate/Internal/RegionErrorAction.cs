namespace TiKV.Client.Locate.Internal;

/// <summary>What the sender does after a region error.</summary>
internal enum RegionErrorAction
{
    /// <summary>Send to the same region again (the cached leader may have changed).</summary>
    Retry,

    /// <summary>The region changed: the caller re-locates its keys through the refreshed cache.</summary>
    Relocate,
}
