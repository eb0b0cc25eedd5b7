using Google.Protobuf;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.Benchmarks.Cluster;

/// <summary>Prebuilt BatchCommands frames of RawGet sub-requests, and the check applied to every answer.</summary>
internal static class RawGetFrames
{
    /// <summary>
    /// <paramref name="frames"/> distinct frames of <paramref name="perFrame"/> RawGets each over random keys
    /// from <paramref name="keys"/>. Prebuilt so the generator spends its CPU on the wire, not on building requests.
    /// </summary>
    public static BatchCommandsRequest[] Build(IReadOnlyList<ByteString> keys, Func<ByteString, Context> contextOf, int perFrame, int frames, int seed)
    {
        var random = new Random(seed);
        var result = new BatchCommandsRequest[frames];
        ulong id = 0;
        for (var f = 0; f < frames; f++)
        {
            var frame = new BatchCommandsRequest();
            for (var i = 0; i < perFrame; i++)
            {
                var key = keys[random.Next(keys.Count)];
                frame.Requests.Add(new BatchCommandsRequest.Types.Request
                {
                    RawGet = new RawGetRequest { Context = contextOf(key), Key = key },
                });
                frame.RequestIds.Add(id++);
            }

            result[f] = frame;
        }

        return result;
    }

    /// <summary>Every sub-response must be a RawGet that found its value.</summary>
    public static void Validate(BatchCommandsResponse response, int perFrame)
    {
        if (response.Responses.Count != perFrame || response.RequestIds.Count != perFrame)
        {
            throw new InvalidOperationException($"BatchCommands answered {response.Responses.Count} responses / {response.RequestIds.Count} ids for {perFrame} requests.");
        }

        foreach (var sub in response.Responses)
        {
            var get = sub.RawGet ?? throw new InvalidOperationException($"Expected a RawGet response, got {sub.CmdCase}.");
            if (get.RegionError is not null || get.Error.Length > 0 || get.NotFound)
            {
                throw new InvalidOperationException($"RawGet failed: {get}");
            }
        }
    }
}
