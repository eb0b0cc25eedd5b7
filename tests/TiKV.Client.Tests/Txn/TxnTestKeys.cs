using System.Text;

namespace TiKV.Client.Tests.Txn;

/// <summary>Helpers shared by the transactional tests.</summary>
internal static class TxnTestKeys
{
    private static int _next;

    public static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    /// <summary>A key prefix no other test uses, so tests can share a cluster.</summary>
    public static string Prefix(string name) => $"{name}-{Interlocked.Increment(ref _next)}-";

    /// <summary>The memcomparable encoding PD keeps transactional region boundaries in (to split regions in tests).</summary>
    public static byte[] Encoded(string key) => TiKV.Client.Internal.MemComparableCodec.Encode(K(key));
}
