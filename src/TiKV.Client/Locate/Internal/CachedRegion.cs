using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Metapb;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// One region in the cache: immutable metadata plus the mutable pieces client-go keeps per region
/// (which peer is believed to be the leader, validity). Keys are copied out of the protobuf once so lookups
/// compare plain spans. The idle expiry lives in the cache's <see cref="RegionEntry"/>, beside what a lookup checks.
/// </summary>
internal sealed class CachedRegion
{
    private int _leaderIndex;
    private int _sendFailures;
    private int _invalid;
    private Context? _context;

    public CachedRegion(Region meta, Peer? leader, long ttlTicks)
    {
        ArgumentNullException.ThrowIfNull(meta);
        Meta = meta;
        StartKey = meta.StartKey.ToByteArray();
        EndKey = meta.EndKey.ToByteArray();
        Id = meta.Id;
        Epoch = meta.RegionEpoch ?? new RegionEpoch();
        TtlTicks = ttlTicks;
        _leaderIndex = leader is null ? 0 : Math.Max(0, IndexOfStore(leader.StoreId));
    }

    public Region Meta { get; }

    /// <summary>The region id, copied out of <see cref="Meta"/> so that reading it touches only this object.</summary>
    public ulong Id { get; }

    public RegionEpoch Epoch { get; }

    /// <summary>This region's idle TTL in TimeProvider timestamp ticks: the cache's TTL plus this region's jitter.</summary>
    public long TtlTicks { get; }

    public byte[] StartKey { get; }

    /// <summary>Exclusive end; empty means the region extends to +inf.</summary>
    public byte[] EndKey { get; }

    public bool IsValid => Volatile.Read(ref _invalid) == 0;

    public int LeaderIndex => Volatile.Read(ref _leaderIndex);

    /// <summary>The peer requests go to: the known leader, or the peer being probed after a failure.</summary>
    public Peer? Leader
    {
        get
        {
            var peers = Meta.Peers;
            var index = LeaderIndex;
            return index < peers.Count ? peers[index] : null;
        }
    }

    /// <summary>
    /// The kvrpcpb context of requests to <paramref name="peer"/> (one of this region's peers). It only changes
    /// with the peer, so one instance is shared by every request to the region until the leader moves;
    /// requests must not modify it.
    /// </summary>
    public Context ContextFor(Peer peer)
    {
        var context = Volatile.Read(ref _context);
        if (context is null || !ReferenceEquals(context.Peer, peer))
        {
            context = new Context { RegionId = Id, RegionEpoch = Epoch, Peer = peer };
            Volatile.Write(ref _context, context);
        }

        return context;
    }

    public bool Contains(ReadOnlySpan<byte> key) =>
        key.SequenceCompareTo(StartKey) >= 0 && (EndKey.Length == 0 || key.SequenceCompareTo(EndKey) < 0);

    /// <summary>True when the region holds keys just below <paramref name="key"/> (start &lt; key ≤ end); empty key = +inf.</summary>
    public bool ContainsByEnd(ReadOnlySpan<byte> key)
    {
        if (key.Length == 0)
        {
            return EndKey.Length == 0;
        }

        return key.SequenceCompareTo(StartKey) > 0 && (EndKey.Length == 0 || key.SequenceCompareTo(EndKey) <= 0);
    }

    /// <summary>Marks the region stale so requests in flight to it stop and re-locate; only the cache calls this.</summary>
    public void Invalidate() => Volatile.Write(ref _invalid, 1);

    /// <summary>Points requests at the peer on <paramref name="storeId"/>; false if the region has no peer there.</summary>
    public bool SwitchLeader(ulong storeId)
    {
        var index = IndexOfStore(storeId);
        if (index < 0)
        {
            return false;
        }

        Volatile.Write(ref _leaderIndex, index);
        Volatile.Write(ref _sendFailures, 0);
        return true;
    }

    /// <summary>
    /// After a transport failure on the current peer, probe the next one (client-go's tryFollower: a follower
    /// answers NotLeader with the new leader). Returns false once every peer has failed, so the caller reloads
    /// the region from PD.
    /// </summary>
    public bool OnSendFailure(int failedIndex)
    {
        var failures = Interlocked.Increment(ref _sendFailures);
        var count = Meta.Peers.Count;
        if (count == 0 || failures >= count)
        {
            return false;
        }

        Interlocked.CompareExchange(ref _leaderIndex, (failedIndex + 1) % count, failedIndex);
        return true;
    }

    public override string ToString() =>
        $"region {Id} [{Convert.ToHexString(StartKey)}, {Convert.ToHexString(EndKey)}) epoch {Epoch.ConfVer}/{Epoch.Version}";

    private int IndexOfStore(ulong storeId)
    {
        var peers = Meta.Peers;
        for (var i = 0; i < peers.Count; i++)
        {
            if (peers[i].StoreId == storeId)
            {
                return i;
            }
        }

        return -1;
    }
}
