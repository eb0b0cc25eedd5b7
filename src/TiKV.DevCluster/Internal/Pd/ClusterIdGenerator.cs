namespace TiKV.DevCluster.Internal.Pd;

/// <summary>
/// Generates a cluster id as PD does when it bootstraps: the Unix time in seconds in the high 32 bits and a
/// random 32-bit number in the low bits (<c>initOrGetClusterID</c>), so ids of different clusters differ.
/// </summary>
internal static class ClusterIdGenerator
{
    /// <summary>A new cluster id for a cluster created at <paramref name="now"/>.</summary>
    public static ulong Generate(DateTimeOffset now)
    {
        var seconds = (ulong)now.ToUnixTimeSeconds();
        // Uniqueness across clusters is all that matters (PD uses a plain PRNG too); a cryptographic generator would
        // load the platform's crypto library, which alone costs tens of milliseconds of start-up.
        var random = (ulong)(uint)Random.Shared.Next(int.MaxValue);
        var id = (seconds << 32) + random;
        return id == 0 ? 1 : id;
    }
}
