using TiKV.Grpc;

namespace TiKV.Client.Rpc.Internal;

/// <summary>Opens BatchCommands streams on one channel (one HTTP/2 connection) to a store.</summary>
internal sealed class GrpcBatchStreamFactory : IBatchStreamFactory
{
    private readonly GrpcChannel _channel;

    public GrpcBatchStreamFactory(GrpcChannel channel) => _channel = channel;

    public string Target => _channel.Target;

    public IBatchStream Open(CancellationToken cancellationToken) =>
        new GrpcBatchStream(_channel.DuplexStreaming(TikvMethods.BatchCommands, default, cancellationToken));
}
