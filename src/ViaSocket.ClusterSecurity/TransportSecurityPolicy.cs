using System.Net;

namespace ViaSocket.ClusterSecurity;

/// <summary>What a node does about its cluster transport at start-up.</summary>
public enum TransportSecurityVerdict
{
    /// <summary>Mutual TLS is configured.</summary>
    Tls,

    /// <summary>No TLS, every address is loopback: nothing off this machine can reach the ports.</summary>
    LoopbackOnly,

    /// <summary>No TLS on a reachable address, explicitly allowed: start, with a warning.</summary>
    InsecureAllowed,

    /// <summary>No TLS on a reachable address: refuse to start.</summary>
    Refused,
}

/// <summary>
/// Decides whether a node may start with its transport settings: clear text is acceptable only while every address it
/// listens on or advertises is loopback, or when <c>AllowInsecureTransport</c> says so explicitly.
/// </summary>
public static class TransportSecurityPolicy
{
    public const string RefusalMessage =
        "The cluster transport would be reachable off this machine without TLS. Configure mutual TLS " +
        "(ViaSocket:Cluster:Tls:CertificatePath or StoreThumbprint/StoreSubject, and CaCertificatesPath or AllowedThumbprints), " +
        "or bind ViaSocket:Cluster:ListenAddress and AdvertisedAddress to loopback, or set " +
        "ViaSocket:Cluster:AllowInsecureTransport=true for a lab.";

    public const string InsecureWarning =
        "ViaSocket:Cluster:AllowInsecureTransport=true: the silo and gateway ports are reachable off this machine in clear " +
        "text and unauthenticated; anyone who reaches them can call every grain. Configure ViaSocket:Cluster:Tls.";

    /// <param name="addresses">The addresses the node listens on and advertises (IP literals or host names).</param>
    /// <param name="tls">The TLS settings.</param>
    /// <param name="allowInsecureTransport">ViaSocket:Cluster:AllowInsecureTransport.</param>
    public static TransportSecurityVerdict Decide(IEnumerable<string> addresses, ClusterTlsOptions tls, bool allowInsecureTransport)
    {
        if (tls.HasCertificate)
        {
            return TransportSecurityVerdict.Tls;
        }

        if (addresses.All(IsLoopback))
        {
            return TransportSecurityVerdict.LoopbackOnly;
        }

        return allowInsecureTransport ? TransportSecurityVerdict.InsecureAllowed : TransportSecurityVerdict.Refused;
    }

    /// <summary>A loopback IP literal or <c>localhost</c>; any other name may resolve anywhere and counts as reachable.</summary>
    private static bool IsLoopback(string address) =>
        string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));
}
