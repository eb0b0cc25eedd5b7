using Xunit;

namespace TiKV.Grpc.Tests.Interop;

/// <summary>The client contract against gRPC C-core (Debian python3-grpcio).</summary>
public sealed class PythonServerClientTests(PythonEchoServer server) : EchoClientContract, IClassFixture<PythonEchoServer>
{
    protected override string Target => server.Target;

    // Python's per-message overhead makes 10k messages slow without adding coverage.
    protected override int BidiMessageCount => 3_000;

    protected override Task<bool> ServerSawCancellationAsync(string method) =>
        server.WaitForCancellationAsync(method, TimeSpan.FromSeconds(10));

    protected override void ForgetCancellations() => server.DrainReports();
}
