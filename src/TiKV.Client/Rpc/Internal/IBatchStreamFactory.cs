namespace TiKV.Client.Rpc.Internal;

/// <summary>Opens BatchCommands streams to one store.</summary>
internal interface IBatchStreamFactory
{
    /// <summary>The store address, for messages.</summary>
    string Target { get; }

    IBatchStream Open(CancellationToken cancellationToken);
}
