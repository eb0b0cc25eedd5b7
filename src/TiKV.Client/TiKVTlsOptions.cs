using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TiKV.Client;

/// <summary>
/// TLS settings for connections to PD and to the stores (TiKV's <c>security.ca-path</c>/<c>cert-path</c>/<c>key-path</c>).
/// When set on <see cref="TiKVClientOptions.Tls"/>, every connection uses TLS.
/// </summary>
public sealed class TiKVTlsOptions
{
    /// <summary>The cluster's CA certificates; null trusts the system store.</summary>
    public X509Certificate2Collection? RootCertificates { get; set; }

    /// <summary>Client certificate (with private key) for mutual TLS; null sends none.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Custom validation of server certificates; replaces the system and <see cref="RootCertificates"/> checks.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }
}
