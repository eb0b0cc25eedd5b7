using TiKV.Client.Rpc.Internal;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Locate.Internal;

/// <summary>
/// One request to the leader of a region, as the sender needs it: how to send it with a given context,
/// where its region error lives, and whether it may be repeated after a failure that could have applied it.
/// </summary>
/// <param name="Command">Command name for metrics, logs and errors (e.g. "RawPut").</param>
/// <param name="Idempotent">False for requests whose repetition can change the outcome (compare-and-swap).</param>
/// <param name="Send">Sends the request with the region's context filled in.</param>
/// <param name="RegionError">Extracts the response's region error.</param>
internal sealed record StoreRequest<TResponse>(
    string Command,
    bool Idempotent,
    Func<IStoreTransport, string, Context, CancellationToken, Task<TResponse>> Send,
    Func<TResponse, Error?> RegionError);
