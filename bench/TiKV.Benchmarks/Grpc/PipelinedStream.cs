using System.Diagnostics;
using Google.Protobuf;
using TiKV.Benchmarks.Load;
using TiKV.Grpc;

namespace TiKV.Benchmarks.Grpc;

/// <summary>
/// Drives one bidi stream with a fixed window of frames in flight: a writer sends as long as the window
/// has room, a reader takes responses and frees a slot each time another frame's worth of answers has come
/// back. A server may answer a frame's messages across several response frames (TiKV's BatchCommands
/// does; answers carry request ids), so <c>countAnswers</c> validates a response and says how many answers
/// it holds. Latency of frame i is from its write until i frames' worth of answers have arrived. A failed
/// or invalid response ends the run with that error.
/// </summary>
internal static class PipelinedStream
{
    public static async Task RunAsync<TRequest, TResponse>(
        DuplexStreamingCall<TRequest, TResponse> call,
        IReadOnlyList<TRequest> requests,
        int messagesPerFrame,
        int framesInFlight,
        Func<TResponse, int> countAnswers,
        LoadWorker worker,
        LoadControl control)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var window = new SemaphoreSlim(framesInFlight, framesInFlight);
        var starts = new long[framesInFlight];
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(control.Stopping.Token);
        var stop = failed.Token;
        Exception? failure = null;

        var reader = Task.Run(async () =>
        {
            try
            {
                long framesAnswered = 0;
                var answers = 0;
                while (await call.MoveNextAsync(stop))
                {
                    answers += countAnswers(call.Current);
                    while (answers >= messagesPerFrame)
                    {
                        answers -= messagesPerFrame;
                        var start = Volatile.Read(ref starts[framesAnswered % framesInFlight]);
                        framesAnswered++;
                        control.Record(worker, start, messagesPerFrame);
                        window.Release();
                    }
                }

                if (control.IsRunning)
                {
                    throw new InvalidOperationException("The server ended the stream while the run was going on.");
                }
            }
            catch (Exception e) when (control.IsRunning)
            {
                failure = e;
                await failed.CancelAsync();
            }
            catch (Exception)
            {
                // Cancelling the call at the end of the run fails the pending read; nothing was lost.
            }
        });

        long sent = 0;
        try
        {
            while (control.IsRunning && !stop.IsCancellationRequested)
            {
                await window.WaitAsync(stop);
                Volatile.Write(ref starts[sent % framesInFlight], Stopwatch.GetTimestamp());
                await call.WriteAsync(requests[(int)(sent % requests.Count)], stop);
                sent++;
            }
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            // The run ended (or the reader failed) while this writer waited for room or was writing.
        }

        await call.DisposeAsync();
        await reader;
        if (failure is not null)
        {
            throw new InvalidOperationException($"Stream worker {worker.Index} failed after {sent} frames.", failure);
        }
    }
}
