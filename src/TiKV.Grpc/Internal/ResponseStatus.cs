using System.Net;
using System.Net.Http.Headers;

namespace TiKV.Grpc.Internal;

/// <summary>Reads gRPC status and metadata from HTTP/2 response headers and trailers on the client.</summary>
internal static class ResponseStatus
{
    /// <summary>
    /// Checks the response headers. Returns a status when the call already ended there (a trailers-only response
    /// or a non-gRPC HTTP answer); <see langword="null"/> when messages and trailers follow.
    /// </summary>
    public static RpcException? CheckHeaders(HttpResponseMessage response, out bool trailersOnlyOk)
    {
        trailersOnlyOk = false;
        HttpResponseHeaders headers = response.Headers;
        if (TryGetValue(headers, GrpcProtocol.StatusHeader, out string? statusText))
        {
            StatusCode code = ParseStatus(statusText);
            if (code == StatusCode.OK)
            {
                trailersOnlyOk = true;
                return null;
            }

            return new RpcException(code, GetMessage(headers), ToMetadata(headers));
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new RpcException(
                GrpcProtocol.FromHttpStatus((int)response.StatusCode),
                $"Bad gRPC response: HTTP status code {(int)response.StatusCode}.");
        }

        string? contentType = null;
        if (response.Content.Headers.NonValidated.TryGetValues("content-type", out HeaderStringValues values))
        {
            contentType = values.ToString();
        }

        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return new RpcException(StatusCode.Internal, $"Bad gRPC response: invalid content-type '{contentType}'.");
        }

        return null;
    }

    /// <summary>Reads the status from the trailers once the response body has ended.</summary>
    public static (StatusCode Code, string Detail) FromTrailers(HttpResponseMessage response)
    {
        HttpResponseHeaders trailers = response.TrailingHeaders;
        if (!TryGetValue(trailers, GrpcProtocol.StatusHeader, out string? statusText))
        {
            return (StatusCode.Internal, "The response ended without a grpc-status trailer.");
        }

        return (ParseStatus(statusText), GetMessage(trailers));
    }

    public static Metadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key))
            {
                continue;
            }

            foreach (string value in header.Value)
            {
                metadata.AddFromWire(header.Key, value);
            }
        }

        return metadata;
    }

    private static StatusCode ParseStatus(string? text) =>
        GrpcProtocol.TryParseStatus(text, out StatusCode code) ? code : StatusCode.Unknown;

    private static string GetMessage(HttpHeaders headers) =>
        TryGetValue(headers, GrpcProtocol.MessageHeader, out string? message) ? PercentEncoding.Decode(message!) : string.Empty;

    private static bool TryGetValue(HttpHeaders headers, string name, out string? value)
    {
        if (headers.NonValidated.TryGetValues(name, out HeaderStringValues values))
        {
            value = values.ToString();
            return true;
        }

        value = null;
        return false;
    }
}
