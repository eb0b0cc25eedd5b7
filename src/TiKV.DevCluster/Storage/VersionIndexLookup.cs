namespace TiKV.DevCluster.Storage;

/// <summary>What a <see cref="VersionIndex"/> lookup could tell.</summary>
internal enum VersionIndexLookup
{
    /// <summary>The user key has no version in the table.</summary>
    Absent,

    /// <summary>The node of the user key's smallest (newest) version was found.</summary>
    Found,

    /// <summary>The index could not answer (it was being resized); seek the skip list instead.</summary>
    Unknown,
}
