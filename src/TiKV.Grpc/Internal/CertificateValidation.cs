using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TiKV.Grpc.Internal;

/// <summary>Validates a peer certificate against a custom set of trusted roots (a cluster CA) instead of the system store.</summary>
internal static class CertificateValidation
{
    public static bool ValidateWithRoots(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (certificate is X509Certificate2 leaf)
        {
            return ValidateChain(leaf, roots);
        }

        using X509Certificate2 copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return ValidateChain(copy, roots);
    }

    /// <summary>Builds the certificate's chain up to one of <paramref name="roots"/>.</summary>
    public static bool ValidateChain(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(certificate);
    }
}
