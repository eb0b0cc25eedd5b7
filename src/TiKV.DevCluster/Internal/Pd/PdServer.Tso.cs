using TiKV.Grpc;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Internal.Pd;

/// <summary>PD's TSO stream: one response per request, in order, each reporting the last timestamp of its batch.</summary>
internal sealed partial class PdServer
{
    private async Task TsoAsync(IAsyncStreamReader<TsoRequest> requests, IServerStreamWriter<TsoResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNextAsync(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current;
            if (_cluster.PdFaults.Take(0, "Tso") is { } fault)
            {
                await ApplyFaultAsync(fault, "Tso", context.CancellationToken).ConfigureAwait(false);
            }

            ValidateClusterId(request.Header);
            if (request.Count == 0)
            {
                throw new RpcException(StatusCode.Unknown, "[PD:tso:ErrGenerateTimestamp]generate timestamp failed, tso count should be positive");
            }

            if (request.Count >= TsoAllocator.MaxLogical)
            {
                // PD retries a logical overflow a bounded number of times; a batch this large can never fit.
                throw new RpcException(StatusCode.Unknown, "[PD:tso:ErrGenerateTimestamp]generate timestamp failed, generate tso maximum number of retries exceeded");
            }

            var (physical, logical) = _cluster.Tso.Allocate(request.Count);
            await responses.WriteAsync(
                new TsoResponse
                {
                    Header = Header(),
                    Count = request.Count,
                    Timestamp = new Timestamp { Physical = physical, Logical = logical },
                },
                context.CancellationToken).ConfigureAwait(false);
        }
    }
}
