namespace TiKV.Client.Rpc.Internal;

/// <summary>The knobs of a BatchCommands connection, taken from the client options.</summary>
internal sealed record BatchSettings(
    int MaxBatchSize,
    TimeSpan MaxBatchWaitTime,
    int BatchWaitSize,
    int OverloadThreshold,
    TimeSpan RequestTimeout,
    TimeSpan ShutdownTimeout,
    TimeProvider TimeProvider)
{
    public static BatchSettings From(TiKVClientOptions options) => new(
        options.MaxBatchSize,
        options.MaxBatchWaitTime,
        options.BatchWaitSize,
        options.OverloadThreshold,
        options.RequestTimeout,
        options.ShutdownTimeout,
        options.TimeProvider);
}
