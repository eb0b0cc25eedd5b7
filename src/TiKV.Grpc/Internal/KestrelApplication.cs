using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace TiKV.Grpc.Internal;

/// <summary>
/// Kestrel's view of the server: one <see cref="HttpContext"/> per request over Kestrel's own features, handed to the
/// router. Kestrel runs without the generic host: a gRPC server needs none of its services, and building one costs
/// every server start several milliseconds and the first one tens of milliseconds of JIT.
/// </summary>
internal sealed class KestrelApplication(RequestDelegate handler) : IHttpApplication<HttpContext>
{
    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public Task ProcessRequestAsync(HttpContext context) => handler(context);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
        // Kestrel owns the features and recycles them; the context holds nothing else.
    }
}
