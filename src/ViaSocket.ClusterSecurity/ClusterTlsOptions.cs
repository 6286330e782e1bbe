using System.Security.Cryptography.X509Certificates;

namespace ViaSocket.ClusterSecurity;

/// <summary>
/// Mutual TLS of the Orleans transport (section <c>ViaSocket:Cluster:Tls</c>, environment variables
/// <c>ViaSocket__Cluster__Tls__...</c>): this node's certificate and who it accepts as a peer. Silos, the front-end
/// role and engines that are cluster clients all read the same section.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string SectionPath = "ViaSocket:Cluster:Tls";

    /// <summary>
    /// This node's certificate: a PEM file (with <see cref="KeyPath"/>, or with the key in the same file) or a PFX
    /// file (with <see cref="CertificatePassword"/>). The default value is empty (use the store, or no TLS).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>. The default value is empty (key in the certificate file).</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PFX file or an encrypted PEM key. The default value is empty.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>This node's certificate from the X509 store, by thumbprint. The default value is empty.</summary>
    public string? StoreThumbprint { get; set; }

    /// <summary>This node's certificate from the X509 store, by subject name. The default value is empty.</summary>
    public string? StoreSubject { get; set; }

    /// <summary>The default value is <c>My</c>.</summary>
    public StoreName StoreName { get; set; } = StoreName.My;

    /// <summary>The default value is <c>CurrentUser</c>.</summary>
    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>
    /// PEM bundle of the CA certificates that issue node certificates: a peer is accepted when its certificate chains
    /// to one of them (the only trust anchors; the system store is not consulted). The default value is empty.
    /// </summary>
    public string? CaCertificatesPath { get; set; }

    /// <summary>
    /// SHA-1 thumbprints of peer certificates accepted as they are (instead of, or besides, the CA bundle). The
    /// default value is none.
    /// </summary>
    public List<string> AllowedThumbprints { get; set; } = [];

    /// <summary>True when a certificate of this node is configured, i.e. TLS is on.</summary>
    public bool HasCertificate =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(StoreThumbprint) || !string.IsNullOrWhiteSpace(StoreSubject);

    /// <summary>True when peers can be verified: a CA bundle or a thumbprint allow-list.</summary>
    public bool HasPeerTrust => !string.IsNullOrWhiteSpace(CaCertificatesPath) || AllowedThumbprints.Count > 0;
}
