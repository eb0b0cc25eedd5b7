using Microsoft.Extensions.Logging;

namespace TiKV.Grpc.Internal;

/// <summary>
/// The service provider of a plaintext server's Kestrel options: without a generic host Kestrel looks up nothing but
/// the logger factory there (TLS set-up needs more, so TLS servers run in a host).
/// </summary>
internal sealed class KestrelServices(ILoggerFactory loggerFactory) : IServiceProvider
{
    public object? GetService(Type serviceType) => serviceType == typeof(ILoggerFactory) ? loggerFactory : null;
}
