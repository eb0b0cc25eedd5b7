namespace TiKV.Benchmarks.Load;

/// <summary>A throughput scenario: set up once, then <see cref="WorkerCount"/> workers loop until stopped.</summary>
public interface ILoadScenario : IAsyncDisposable
{
    /// <summary>Name and parameters, e.g. "grpc-bidi batch=64 inflight=1024".</summary>
    string Description { get; }

    /// <summary>What one operation is: "call", "msg", "read", "write", "txn".</summary>
    string Unit { get; }

    int WorkerCount { get; }

    Task SetupAsync(CancellationToken cancellationToken);

    Task RunWorkerAsync(LoadWorker worker, LoadControl control);
}
