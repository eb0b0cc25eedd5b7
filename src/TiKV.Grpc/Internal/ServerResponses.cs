using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TiKV.Grpc.Internal;

/// <summary>Writes gRPC statuses and metadata into Kestrel responses.</summary>
internal static class ServerResponses
{
    private static readonly StringValues GrpcContentType = new(GrpcProtocol.ContentType);
    private static readonly StringValues OkStatus = new(GrpcProtocol.StatusString(StatusCode.OK));

    /// <summary>Marks the response as gRPC; the headers leave with the first flush or the end of the call.</summary>
    public static void PrepareResponse(HttpResponse response)
    {
        response.Headers.ContentType = GrpcContentType;
    }

    public static void AddMetadata(IHeaderDictionary headers, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (Metadata.Entry entry in metadata.Entries)
        {
            headers.Append(entry.Key, entry.Text);
        }
    }

    /// <summary>
    /// Ends a call whose response carries no message: the status goes in the only HEADERS frame (trailers-only).
    /// </summary>
    public static void WriteTrailersOnly(HttpResponse response, StatusCode code, string? detail, Metadata? headers, Metadata? trailers)
    {
        response.StatusCode = StatusCodes.Status200OK;
        IHeaderDictionary target = response.Headers;
        target.ContentType = GrpcContentType;
        AddMetadata(target, headers);
        AddMetadata(target, trailers);
        target[GrpcProtocol.StatusHeader] = code == StatusCode.OK ? OkStatus : new StringValues(GrpcProtocol.StatusString(code));
        if (!string.IsNullOrEmpty(detail))
        {
            target[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(detail);
        }
    }

    /// <summary>Ends a call after response messages: the status goes in the trailers.</summary>
    public static void WriteTrailers(HttpResponse response, StatusCode code, string? detail, Metadata? trailers)
    {
        IHeaderDictionary target = response.GetTrailersOrNull()
            ?? throw new InvalidOperationException("The HTTP/2 response does not support trailers.");
        AddMetadata(target, trailers);
        target[GrpcProtocol.StatusHeader] = code == StatusCode.OK ? OkStatus : new StringValues(GrpcProtocol.StatusString(code));
        if (!string.IsNullOrEmpty(detail))
        {
            target[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(detail);
        }
    }

    private static IHeaderDictionary? GetTrailersOrNull(this HttpResponse response) =>
        response.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseTrailersFeature>()?.Trailers;
}
