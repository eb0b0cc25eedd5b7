using TiKV.Grpc;

namespace TiKV.Client.Internal;

/// <summary>Builds the gRPC channel settings shared by PD and store connections from the client options.</summary>
internal static class ChannelOptionsFactory
{
    public static GrpcChannelOptions Create(TiKVClientOptions options, TimeSpan connectTimeout)
    {
        var channel = new GrpcChannelOptions
        {
            ConnectTimeout = connectTimeout,
            TimeProvider = options.TimeProvider,
            UserAgent = "tikv-dotnet-client/" + typeof(ChannelOptionsFactory).Assembly.GetName().Version?.ToString(3),
        };
        if (options.Tls is { } tls)
        {
            channel.UseTls = true;
            channel.RootCertificates = tls.RootCertificates;
            channel.ClientCertificate = tls.ClientCertificate;
            channel.RemoteCertificateValidation = tls.RemoteCertificateValidation;
        }

        return channel;
    }
}
