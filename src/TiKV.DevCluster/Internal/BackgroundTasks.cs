using Microsoft.Extensions.Logging;

namespace TiKV.DevCluster.Internal;

/// <summary>Fire-and-forget work owned by the cluster: tracked so shutdown can cancel and await it.</summary>
internal sealed class BackgroundTasks : IAsyncDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _tasks = [];
    private readonly ILogger _logger;

    /// <summary>Creates an empty set.</summary>
    public BackgroundTasks(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>Cancelled when the cluster shuts down.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>Runs <paramref name="work"/> in the background; failures are logged.</summary>
    public void Run(Func<CancellationToken, Task> work)
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        var task = Task.Run(() => RunLoggedAsync(work));
        lock (_gate)
        {
            _tasks.Add(task);
        }

        task.ContinueWith(
            t =>
            {
                lock (_gate)
                {
                    _tasks.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _tasks];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private async Task RunLoggedAsync(Func<CancellationToken, Task> work)
    {
        try
        {
            await work(_shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.BackgroundFailed(_logger, e);
        }
    }
}
