using System.Security.Cryptography.X509Certificates;

namespace ViaSocket.ClusterSecurity;

/// <summary>
/// Accepts a peer whose certificate chains to one of the configured CAs (the only trust anchors) or whose thumbprint
/// is on the allow-list, and nobody else. Host names are not checked: silos are reached by IP address and identified
/// by who issued their certificate.
/// </summary>
public sealed class PeerCertificateValidator(X509Certificate2Collection authorities, IEnumerable<string> allowedThumbprints)
{
    private readonly HashSet<string> thumbprints = allowedThumbprints
        .Select(t => t.Replace(":", string.Empty, StringComparison.Ordinal).Trim())
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsTrusted(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        if (thumbprints.Contains(certificate.Thumbprint))
        {
            return true;
        }

        if (authorities.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(certificate);
    }
}
