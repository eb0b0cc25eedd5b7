using Google.Protobuf;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Metapb;
using BatchRequest = TiKV.Proto.Tikvpb.BatchCommandsRequest.Types.Request;
using BatchResponse = TiKV.Proto.Tikvpb.BatchCommandsResponse.Types.Response;

namespace TiKV.Client.Tests.Fakes;

/// <summary>
/// Scripted stores over one shared key space that check routing like TiKV: the region must exist with the
/// same epoch, the peer's store must be the leader, and every key must lie in the region.
/// </summary>
internal sealed class FakeKvStores
{
    private readonly SortedDictionary<byte[], byte[]> _data = new(Internal.ByteArrayComparer.Instance);
    private readonly object _gate = new();
    private List<(Region Region, ulong Leader)> _regions = [];

    public FakeKvStores(FakePdClient pd, ScriptedTransport transport, int storeCount = 3)
    {
        Pd = pd;
        for (ulong s = 1; s <= (ulong)storeCount; s++)
        {
            pd.AddStore(s, Address(s));
        }

        transport.Handler = Handle;
        transport.UnaryHandler = HandleUnary;
    }

    public FakePdClient Pd { get; }

    /// <summary>Runs before routing checks; return a response to short-circuit.</summary>
    public Func<string, BatchRequest, BatchResponse?>? Intercept { get; set; }

    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public static string Address(ulong store) => $"s{store}";

    public void SetRegions(params (Region Region, ulong Leader)[] regions)
    {
        lock (_gate)
        {
            _regions = [.. regions];
        }

        Pd.SetRegions(regions);
    }

    public byte[]? Read(string key)
    {
        lock (_gate)
        {
            return _data.GetValueOrDefault(System.Text.Encoding.UTF8.GetBytes(key));
        }
    }

    private BatchResponse Handle(string address, BatchRequest request)
    {
        Interlocked.Increment(ref _requests);
        if (Intercept?.Invoke(address, request) is { } intercepted)
        {
            return intercepted;
        }

        lock (_gate)
        {
            switch (request.CmdCase)
            {
                case BatchRequest.CmdOneofCase.RawGet:
                {
                    var r = request.RawGet;
                    var error = Check(address, r.Context, r.Key);
                    var found = _data.TryGetValue(r.Key.ToByteArray(), out var value);
                    return new BatchResponse { RawGet = new RawGetResponse { RegionError = error, NotFound = error is null && !found, Value = error is null && found ? ByteString.CopyFrom(value) : ByteString.Empty } };
                }

                case BatchRequest.CmdOneofCase.RawPut:
                {
                    var r = request.RawPut;
                    var error = Check(address, r.Context, r.Key);
                    if (error is null)
                    {
                        _data[r.Key.ToByteArray()] = r.Value.ToByteArray();
                    }

                    return new BatchResponse { RawPut = new RawPutResponse { RegionError = error } };
                }

                case BatchRequest.CmdOneofCase.RawBatchGet:
                {
                    var r = request.RawBatchGet;
                    var error = Check(address, r.Context, [.. r.Keys]);
                    var response = new RawBatchGetResponse { RegionError = error };
                    if (error is null)
                    {
                        foreach (var key in r.Keys)
                        {
                            if (_data.TryGetValue(key.ToByteArray(), out var value))
                            {
                                response.Pairs.Add(new Proto.Kvrpcpb.KvPair { Key = key, Value = ByteString.CopyFrom(value) });
                            }
                        }
                    }

                    return new BatchResponse { RawBatchGet = response };
                }

                case BatchRequest.CmdOneofCase.RawBatchPut:
                {
                    var r = request.RawBatchPut;
                    var error = Check(address, r.Context, [.. r.Pairs.Select(p => p.Key)]);
                    if (error is null)
                    {
                        foreach (var pair in r.Pairs)
                        {
                            _data[pair.Key.ToByteArray()] = pair.Value.ToByteArray();
                        }
                    }

                    return new BatchResponse { RawBatchPut = new RawBatchPutResponse { RegionError = error } };
                }

                case BatchRequest.CmdOneofCase.RawScan:
                {
                    var r = request.RawScan;
                    var error = Check(address, r.Context, r.Reverse ? [] : [r.StartKey]);
                    var response = new RawScanResponse { RegionError = error };
                    if (error is null)
                    {
                        var region = _regions.First(x => x.Region.Id == r.Context.RegionId).Region;
                        IEnumerable<KeyValuePair<byte[], byte[]>> items = _data.Where(kv => InRegion(region, kv.Key));
                        items = r.Reverse
                            ? items.Where(kv => Less(kv.Key, r.StartKey.Span) && !Less(kv.Key, r.EndKey.Span)).Reverse()
                            : items.Where(kv => !Less(kv.Key, r.StartKey.Span) && (r.EndKey.IsEmpty || Less(kv.Key, r.EndKey.Span)));
                        foreach (var kv in items.Take((int)r.Limit))
                        {
                            response.Kvs.Add(new Proto.Kvrpcpb.KvPair { Key = ByteString.CopyFrom(kv.Key), Value = r.KeyOnly ? ByteString.Empty : ByteString.CopyFrom(kv.Value) });
                        }
                    }

                    return new BatchResponse { RawScan = response };
                }

                case BatchRequest.CmdOneofCase.RawDeleteRange:
                {
                    var r = request.RawDeleteRange;
                    var error = Check(address, r.Context, r.StartKey);
                    if (error is null)
                    {
                        foreach (var key in _data.Keys.Where(k => !Less(k, r.StartKey.Span) && (r.EndKey.IsEmpty || Less(k, r.EndKey.Span))).ToList())
                        {
                            _data.Remove(key);
                        }
                    }

                    return new BatchResponse { RawDeleteRange = new RawDeleteRangeResponse { RegionError = error } };
                }

                default:
                    throw new InvalidOperationException($"FakeKvStores does not handle {request.CmdCase}");
            }
        }
    }

    private RawCASResponse HandleUnary(string address, object request)
    {
        Interlocked.Increment(ref _requests);
        lock (_gate)
        {
            var r = (RawCASRequest)request;
            var error = Check(address, r.Context, r.Key);
            if (error is not null)
            {
                return new RawCASResponse { RegionError = error };
            }

            var exists = _data.TryGetValue(r.Key.ToByteArray(), out var current);
            var matches = r.PreviousNotExist ? !exists : exists && current.AsSpan().SequenceEqual(r.PreviousValue.Span);
            if (matches)
            {
                _data[r.Key.ToByteArray()] = r.Value.ToByteArray();
            }

            return new RawCASResponse { Succeed = matches, PreviousNotExist = !exists, PreviousValue = exists ? ByteString.CopyFrom(current) : ByteString.Empty };
        }
    }

    private Error? Check(string address, Context context, params ByteString[] keys)
    {
        var entry = _regions.FirstOrDefault(x => x.Region.Id == context.RegionId);
        if (entry.Region is null)
        {
            return new Error { Message = "region not found", RegionNotFound = new RegionNotFound { RegionId = context.RegionId } };
        }

        var (region, leader) = entry;
        if (context.RegionEpoch.Version != region.RegionEpoch.Version || context.RegionEpoch.ConfVer != region.RegionEpoch.ConfVer)
        {
            var epochError = new EpochNotMatch();
            epochError.CurrentRegions.AddRange(_regions.Select(x => x.Region).Where(r => Overlaps(r, context)));
            return new Error { Message = "epoch not match", EpochNotMatch = epochError };
        }

        if (Address(leader) != address || context.Peer.StoreId != leader)
        {
            return new Error { Message = "not leader", NotLeader = new NotLeader { RegionId = region.Id, Leader = region.Peers.First(p => p.StoreId == leader) } };
        }

        foreach (var key in keys)
        {
            if (!InRegion(region, key.Span))
            {
                return new Error { Message = "key not in region", KeyNotInRegion = new KeyNotInRegion { Key = key, RegionId = region.Id } };
            }
        }

        return null;
    }

    private bool Overlaps(Region region, Context context) => region.Id == context.RegionId || _regions.Any(x => x.Region == region);

    private static bool InRegion(Region region, ReadOnlySpan<byte> key) =>
        key.SequenceCompareTo(region.StartKey.Span) >= 0 && (region.EndKey.IsEmpty || key.SequenceCompareTo(region.EndKey.Span) < 0);

    private static bool Less(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b) < 0;
}
