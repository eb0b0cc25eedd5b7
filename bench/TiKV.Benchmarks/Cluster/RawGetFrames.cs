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

    /// <summary>Every sub-response must be a RawGet that found its value; returns how many there are.</summary>
    public static int Validate(BatchCommandsResponse response)
    {
        if (response.Responses.Count != response.RequestIds.Count)
        {
            throw new InvalidOperationException($"BatchCommands answered {response.Responses.Count} responses with {response.RequestIds.Count} ids.");
        }

        foreach (var sub in response.Responses)
        {
            var get = sub.RawGet ?? throw new InvalidOperationException($"Expected a RawGet response, got {sub.CmdCase}.");
            if (get.RegionError is not null || get.Error.Length > 0 || get.NotFound)
            {
                throw new InvalidOperationException($"RawGet failed: {get}");
            }
        }

        return response.Responses.Count;
    }
}
