using System.Diagnostics.CodeAnalysis;

namespace TiKV.Client.Pd.Internal;

/// <summary>Parses PD addresses as users and PD's member list give them: host:port or an http(s) URL.</summary>
internal static class PdEndpoint
{
    public static bool TryParse(string? endpoint, [NotNullWhen(true)] out string? target)
    {
        target = null;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return false;
        }

        var text = endpoint.Trim();
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host) || (uri.IsDefaultPort && !text.Contains(':', StringComparison.Ordinal)) ||
            uri.Port <= 0 || (uri.AbsolutePath.Length > 1))
        {
            return false;
        }

        // Keep an explicit scheme (it decides TLS); plain host:port stays plain so channel options decide.
        target = text.Contains("://", StringComparison.Ordinal) ? $"{uri.Scheme}://{uri.Authority}" : uri.Authority;
        return true;
    }

    /// <summary>Applies the client's TLS choice to a URL from PD's member list (PD advertises http:// unless configured for TLS).</summary>
    public static string ForTls(string target, bool useTls)
    {
        if (useTls && target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return "https://" + target["http://".Length..];
        }

        return target;
    }
}
