using System.Security.Cryptography.X509Certificates;

namespace ViaSocket.ClusterSecurity;

/// <summary>This node's certificate and the peer check, loaded once from <see cref="ClusterTlsOptions"/>.</summary>
public sealed class ClusterTlsCertificates
{
    private ClusterTlsCertificates(X509Certificate2 local, PeerCertificateValidator peers) => (Local, Peers) = (local, peers);

    public X509Certificate2 Local { get; }

    public PeerCertificateValidator Peers { get; }

    /// <exception cref="InvalidOperationException">The settings are incomplete or a file cannot be read; the message names the setting.</exception>
    public static ClusterTlsCertificates Load(ClusterTlsOptions options)
    {
        if (!options.HasPeerTrust)
        {
            throw new InvalidOperationException(
                $"{ClusterTlsOptions.SectionPath} has a certificate but no way to verify peers: set CaCertificatesPath or AllowedThumbprints.");
        }

        var local = LoadLocal(options);
        if (!local.HasPrivateKey)
        {
            throw new InvalidOperationException($"{ClusterTlsOptions.SectionPath}: the certificate {local.Subject} has no private key (KeyPath).");
        }

        var authorities = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(options.CaCertificatesPath))
        {
            authorities.ImportFromPemFile(Existing(options.CaCertificatesPath, "CaCertificatesPath"));
        }

        return new ClusterTlsCertificates(local, new PeerCertificateValidator(authorities, options.AllowedThumbprints));
    }

    private static X509Certificate2 LoadLocal(ClusterTlsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            var path = Existing(options.CertificatePath, "CertificatePath");
            if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
            }

            var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? null : Existing(options.KeyPath, "KeyPath");
            using var pem = string.IsNullOrEmpty(options.CertificatePassword)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);

            // An ephemeral PEM key cannot be used by SslStream on every platform; a PKCS#12 round trip makes it persistable.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        using var store = new X509Store(options.StoreName, options.StoreLocation);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        var found = !string.IsNullOrWhiteSpace(options.StoreThumbprint)
            ? store.Certificates.Find(X509FindType.FindByThumbprint, options.StoreThumbprint, validOnly: false)
            : store.Certificates.Find(X509FindType.FindBySubjectName, options.StoreSubject!, validOnly: false);
        return found.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new InvalidOperationException(
                $"{ClusterTlsOptions.SectionPath}: no certificate with a private key matches StoreThumbprint/StoreSubject in {options.StoreLocation}/{options.StoreName}.");
    }

    private static string Existing(string path, string setting) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{ClusterTlsOptions.SectionPath}:{setting}: file '{path}' not found.");
}
