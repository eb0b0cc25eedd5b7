using System.Diagnostics;
using Google.Protobuf;
using TiKV.Client;
using TiKV.Client.Rpc.Internal;
using TiKV.Grpc;
using TiKV.Proto.Kvrpcpb;
using TiKV.Proto.Tikvpb;

namespace TiKV.Cli.Commands;

/// <summary>
/// The transport ceiling of <c>bench raw --ceiling</c>: the same gets against the same stores with no client
/// in between. Every key's RawGet is built once with its region's context (routed through the client's region
/// cache), then BatchCommands frames of them are kept in flight on <c>--connections</c> streams per store,
/// with as many gets outstanding in total as the client phase has callers, two frames per stream so one is
/// on the wire while the store works on the other. What this reaches is what the stores and the gRPC transport
/// deliver at that concurrency; the client phase's share of it is the client's efficiency.
/// </summary>
internal static class BenchCeiling
{
    private const int FramesInFlight = 2;
    private const int DistinctFrames = 64;

    public static async Task<double> RunAsync(TiKVClient client, BenchSettings settings, byte[][] keys, CancellationToken cancellationToken)
    {
        var routes = await RouteAsync(client, keys, cancellationToken).ConfigureAwait(false);
        var streamCount = routes.Count * settings.Connections;
        var perStream = Math.Max(1, settings.Concurrency / streamCount);
        var frameSize = Math.Clamp((perStream + FramesInFlight - 1) / FramesInFlight, 1, 128);
        var channels = new List<GrpcChannel>();
        long answered = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var streams = new List<Task>();
        try
        {
            foreach (var (address, requests) in routes)
            {
                for (var c = 0; c < settings.Connections; c++)
                {
                    var channel = GrpcChannel.Create(address);
                    channels.Add(channel);
                    var frames = BuildFrames(requests, frameSize, new Random(streams.Count));
                    streams.Add(RunStreamAsync(channel, frames, frameSize, () => Interlocked.Add(ref answered, frameSize), stop.Token));
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken).ConfigureAwait(false);
            var startCount = Interlocked.Read(ref answered);
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken).ConfigureAwait(false);
            var count = Interlocked.Read(ref answered) - startCount;
            var elapsed = Stopwatch.GetElapsedTime(started);
            var failed = streams.FirstOrDefault(s => s.IsFaulted);
            if (failed is not null)
            {
                await failed.ConfigureAwait(false);
            }

            return count / elapsed.TotalSeconds;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(streams).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var channel in channels)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every key's RawGet with the context of its region's leader, grouped by the leader's address.</summary>
    private static async Task<List<(string Address, List<RawGetRequest> Requests)>> RouteAsync(TiKVClient client, byte[][] keys, CancellationToken cancellationToken)
    {
        var plan = await client.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var backoffer = plan.NewBackoffer("BenchRoute");
        var byAddress = new Dictionary<string, List<RawGetRequest>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var region = await plan.Core.Regions.LocateKeyAsync(key, backoffer, cancellationToken).ConfigureAwait(false);
            var leader = region.Leader ?? throw new InvalidOperationException($"Region {region.Id} has no peers.");
            var address = await plan.Core.Stores.GetAddressAsync(leader.StoreId, backoffer, cancellationToken).ConfigureAwait(false);
            if (!byAddress.TryGetValue(address, out var requests))
            {
                byAddress[address] = requests = [];
            }

            requests.Add(new RawGetRequest { Key = ByteString.CopyFrom(key), Context = region.ContextFor(leader) });
        }

        return [.. byAddress.Select(p => (p.Key, p.Value))];
    }

    private static BatchCommandsRequest[] BuildFrames(List<RawGetRequest> requests, int frameSize, Random random)
    {
        var frames = new BatchCommandsRequest[DistinctFrames];
        ulong id = 0;
        for (var f = 0; f < frames.Length; f++)
        {
            var frame = new BatchCommandsRequest();
            for (var i = 0; i < frameSize; i++)
            {
                frame.Requests.Add(new BatchCommandsRequest.Types.Request { RawGet = requests[random.Next(requests.Count)] });
                frame.RequestIds.Add(++id);
            }

            frames[f] = frame;
        }

        return frames;
    }

    /// <summary>
    /// Keeps <see cref="FramesInFlight"/> frames outstanding on one stream: a frame is written whenever a frame's
    /// worth of answers has come back. Any answer that is not a clean RawGet (region error, wrong command) fails
    /// the run: the ceiling must measure the same successful reads the client phase makes.
    /// </summary>
    private static async Task RunStreamAsync(GrpcChannel channel, BatchCommandsRequest[] frames, int frameSize, System.Action onFrameAnswered, CancellationToken cancellationToken)
    {
        var call = channel.DuplexStreaming(TikvMethods.BatchCommands, cancellationToken: cancellationToken);
        await using var callScope = call.ConfigureAwait(false);
        using var window = new SemaphoreSlim(FramesInFlight);
        var reader = Task.Run(
            async () =>
            {
                var answers = 0;
                try
                {
                    while (await call.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                    {
                        foreach (var response in call.Current.Responses)
                        {
                            if (response.RawGet is not { RegionError: null, Error.Length: 0 })
                            {
                                throw new InvalidOperationException($"The store answered a ceiling RawGet with {response}.");
                            }
                        }

                        answers += call.Current.Responses.Count;
                        while (answers >= frameSize)
                        {
                            answers -= frameSize;
                            onFrameAnswered();
                            window.Release();
                        }
                    }
                }
                finally
                {
                    // Wakes the writer, which then sees the reader has ended.
                    window.Release();
                }
            },
            CancellationToken.None);
        try
        {
            for (var next = 0; ; next = (next + 1) % frames.Length)
            {
                await window.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (reader.IsCompleted)
                {
                    break;
                }

                await call.WriteAsync(frames[next], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
        }

        try
        {
            await reader.ConfigureAwait(false);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
        }
    }
}
