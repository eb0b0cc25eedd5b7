using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TiKV.Grpc;

namespace TiKV.DevCluster.Internal;

/// <summary>Starting servers on requested ports, falling back to a free port when asked to.</summary>
internal static class PortBinding
{
    /// <summary>
    /// Creates and starts a gRPC server on <paramref name="port"/>. When the port is taken and
    /// <paramref name="fallBack"/> is set, it starts on an ephemeral port instead and reports that it did.
    /// </summary>
    public static async Task<(GrpcServer Server, bool FellBack)> StartGrpcAsync(
        Func<GrpcServer> create, string host, int port, bool fallBack, CancellationToken cancellationToken)
    {
        var server = create();
        try
        {
            await server.StartAsync(host, port, cancellationToken).ConfigureAwait(false);
            return (server, false);
        }
        catch (Exception e) when (port != 0 && fallBack && IsAddressInUse(e))
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        server = create();
        await server.StartAsync(host, 0, cancellationToken).ConfigureAwait(false);
        return (server, true);
    }

    /// <summary>Whether <paramref name="exception"/> (or an inner exception) says the address is already in use.</summary>
    public static bool IsAddressInUse(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } ||
                e.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether nothing listens on <paramref name="host"/>:<paramref name="port"/> now (a bind probe; the port may
    /// still be taken before it is bound for real, which then fails as a busy port does).
    /// </summary>
    public static bool IsFree(string host, int port)
    {
        var address = IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : IPAddress.Loopback;
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
    }

    /// <summary><c>host:port</c>, with brackets around IPv6 literals.</summary>
    public static string Format(string host, int port) =>
        (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);
}
