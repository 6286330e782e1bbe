using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using ViaSocket.ClusterSecurity;

namespace ViaSocket.Server.Transport;

/// <summary>What <see cref="ClusterCertificateGenerator.Ensure"/> did.</summary>
/// <param name="Written">True when a new CA and node certificates were written, false when the valid ones there were kept.</param>
/// <param name="CaThumbprint">The SHA-1 thumbprint of the CA in the directory.</param>
/// <param name="NotAfter">When the node certificates expire.</param>
internal sealed record ClusterCertificateSet(bool Written, string CaThumbprint, DateTimeOffset NotAfter);

/// <summary>
/// A throwaway CA for one cluster and a certificate per node it signs, as PEM files in one directory: <c>ca.crt</c>,
/// and <c>NODE.crt</c> / <c>NODE.key</c> per node (the key readable by its owner only). The CA's private key is never
/// written: the set is replaced as a whole, so nobody can issue a further certificate of this CA later.
/// </summary>
internal static partial class ClusterCertificateGenerator
{
    public const string CaFileName = "ca.crt";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// A node name is a DNS label (it becomes a SAN and a file name, so no dot, slash or path part), and not <c>ca</c>,
    /// whose files would be the CA's.
    /// </summary>
    public static bool IsValidNodeName(string name) =>
        NodeNamePattern().IsMatch(name) && !string.Equals(Path.GetFileNameWithoutExtension(CaFileName), name, StringComparison.OrdinalIgnoreCase);

    public static string CertificatePath(string directory, string node) => Path.Combine(directory, node + ".crt");

    public static string KeyPath(string directory, string node) => Path.Combine(directory, node + ".key");

    /// <summary>
    /// Writes a new CA and a certificate for each node, valid for <paramref name="validity"/>, unless the directory
    /// already holds certificates of its CA for every node with at least half of that left (and <paramref name="force"/>
    /// is false): restarting one node must not find certificates of a CA the running ones do not know.
    /// </summary>
    public static ClusterCertificateSet Ensure(string directory, IReadOnlyCollection<string> nodes, TimeSpan validity, TimeProvider time, bool force = false)
    {
        if (nodes.Count == 0 || !nodes.All(IsValidNodeName))
        {
            throw new ArgumentException("At least one node is needed; a node name is a DNS label (letters, digits, '-'), and not 'ca'.", nameof(nodes));
        }

        var now = time.GetUtcNow();
        if (!force && ExistingSet(directory, nodes, now + (validity / 2)) is { } kept)
        {
            return kept;
        }

        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=ViaSocket throwaway cluster CA {now:yyyy-MM-ddTHH:mm:ssZ}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));

        // Five minutes back: a node whose clock is a little behind still accepts the certificates.
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now + validity);
        foreach (var node in nodes)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var certificate = Issue(ca, node, key, now.AddMinutes(-5));
            WriteFile(KeyPath(directory, node), key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
            WriteFile(CertificatePath(directory, node), certificate.ExportCertificatePem(), WorldReadable);
        }

        WriteFile(Path.Combine(directory, CaFileName), ca.ExportCertificatePem(), WorldReadable);
        return new ClusterCertificateSet(Written: true, ca.Thumbprint, ca.NotAfter.ToUniversalTime());
    }

    /// <summary>For TLS server and client authentication (each node is both), named by the node, localhost and the loopback addresses.</summary>
    private static X509Certificate2 Issue(X509Certificate2 ca, string node, ECDsa key, DateTimeOffset notBefore)
    {
        var request = new CertificateRequest($"CN={node}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(node);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);

        // The CA's own expiry, as written (whole seconds): a node certificate may not outlive its issuer.
        return request.Create(ca, notBefore, ca.NotAfter, serial);
    }

    /// <summary>The set in the directory when every node's key pair is there, chains to its CA and is valid past <paramref name="validUntil"/>.</summary>
    private static ClusterCertificateSet? ExistingSet(string directory, IReadOnlyCollection<string> nodes, DateTimeOffset validUntil)
    {
        var caPath = Path.Combine(directory, CaFileName);
        if (!File.Exists(caPath))
        {
            return null;
        }

        try
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
            var peers = new PeerCertificateValidator([ca], []);
            var notAfter = DateTimeOffset.MaxValue;
            foreach (var node in nodes)
            {
                if (!File.Exists(CertificatePath(directory, node)) || !File.Exists(KeyPath(directory, node)))
                {
                    return null;
                }

                // Loading with the key also proves the key is the certificate's.
                using var certificate = X509Certificate2.CreateFromPemFile(CertificatePath(directory, node), KeyPath(directory, node));
                var expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
                if (expires < validUntil || !peers.IsTrusted(certificate))
                {
                    return null;
                }

                notAfter = expires < notAfter ? expires : notAfter;
            }

            return new ClusterCertificateSet(Written: false, ca.Thumbprint, notAfter);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Written beside the target with its mode from the start, then moved over it: the key is never readable by others,
    /// not even for a moment, and a file that was there keeps no mode of its own.
    /// </summary>
    private static void WriteFile(string path, string content, UnixFileMode mode)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
        {
            writer.Write(content);
        }

        File.Move(temporary, path, overwrite: true);
    }

    [GeneratedRegex(@"\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\z")]
    private static partial Regex NodeNamePattern();
}
