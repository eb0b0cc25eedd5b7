using Microsoft.Extensions.Logging.Abstractions;
using TiKV.Client.Internal;

namespace TiKV.Client.Tests.Fakes;

/// <summary>A <see cref="TiKVClient"/> wired to a fake PD and scripted stores.</summary>
internal static class FakeCluster
{
    public static TiKVClient Client(FakePdClient pd, ScriptedTransport transport, Action<TiKVClientOptions>? configure = null)
    {
        var options = new TiKVClientOptions { PdEndpoints = ["127.0.0.1:1"], AtomicForCas = true };
        configure?.Invoke(options);
        return new TiKVClient(
            options,
            NullLoggerFactory.Instance,
            (o, lf, _) => Task.FromResult(new ClientCore(o, pd, transport, lf)));
    }
}
