using System.Collections.Concurrent;
using TiKV.Client.Rpc.Internal;

namespace TiKV.Client.Tests.Fakes;

internal sealed class FakeBatchStreamFactory : IBatchStreamFactory
{
    private readonly Func<FakeBatchStream> _create;

    public FakeBatchStreamFactory(Func<FakeBatchStream>? create = null) => _create = create ?? (() => new FakeBatchStream());

    public ConcurrentQueue<FakeBatchStream> Opened { get; } = new();

    public string Target => "fake-store:20160";

    public IBatchStream Open(CancellationToken cancellationToken)
    {
        var stream = _create();
        Opened.Enqueue(stream);
        return stream;
    }
}
