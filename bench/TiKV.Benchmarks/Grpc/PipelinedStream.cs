using System.Diagnostics;
using Google.Protobuf;
using TiKV.Benchmarks.Load;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Grpc;

/// <summary>
/// Drives one bidi stream with a fixed window of frames in flight: a writer sends as long as the window
/// has room, a reader takes responses (in order) and frees a slot per response. Each frame carries
/// <c>messagesPerFrame</c> messages; latency is per frame, from write to response.
/// </summary>
internal static class PipelinedStream
{
    public static async Task RunAsync<TRequest, TResponse>(
        DuplexStreamingCall<TRequest, TResponse> call,
        IReadOnlyList<TRequest> requests,
        int messagesPerFrame,
        int framesInFlight,
        Action<TResponse> validate,
        LoadWorker worker,
        LoadControl control)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var window = new SemaphoreSlim(framesInFlight, framesInFlight);
        var starts = new long[framesInFlight];
        var stop = control.Stopping.Token;

        var reader = Task.Run(async () =>
        {
            long received = 0;
            while (await call.MoveNextAsync(stop))
            {
                validate(call.Current);
                var start = Volatile.Read(ref starts[received % framesInFlight]);
                received++;
                control.Record(worker, start, messagesPerFrame);
                window.Release();
            }
        });

        long sent = 0;
        try
        {
            while (control.IsRunning)
            {
                await window.WaitAsync(stop);
                Volatile.Write(ref starts[sent % framesInFlight], Stopwatch.GetTimestamp());
                await call.WriteAsync(requests[(int)(sent % requests.Count)], stop);
                sent++;
                if (reader.IsFaulted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            // The run ended while this writer waited for room or was writing.
        }
        catch (RpcException) when (reader.IsFaulted)
        {
            // The reader holds the reason; surfaced below.
        }

        await call.DisposeAsync();
        try
        {
            await reader;
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Cancelling the call at the end of the run fails the pending read; nothing was lost.
        }
    }
}
