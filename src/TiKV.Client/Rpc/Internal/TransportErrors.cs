using System.Net.Sockets;

namespace TiKV.Client.Rpc.Internal;

internal static class TransportErrors
{
    /// <summary>
    /// True when the failure happened while connecting, so the request never reached the store and may be
    /// retried even if it is not idempotent.
    /// </summary>
    public static bool IsConnectFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException http when http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError:
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound }:
                case OperationCanceledException { InnerException: TimeoutException }:
                    return true;
            }
        }

        return false;
    }
}
