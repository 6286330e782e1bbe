using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>A throwaway CA and the certificates it signs, written as PEM files (certificate, key) to a directory.</summary>
public sealed class TestCertificateAuthority
{
    private readonly X509Certificate2 authority;
    private readonly string directory;

    private TestCertificateAuthority(X509Certificate2 authority, string directory, string certificatePath)
    {
        this.authority = authority;
        this.directory = directory;
        CertificatePath = certificatePath;
    }

    /// <summary>The CA's certificate as a PEM bundle of one, to trust it.</summary>
    public string CertificatePath { get; }

    public static TestCertificateAuthority Create(string directory, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(directory, $"{name}.ca.pem");
        File.WriteAllText(path, authority.ExportCertificatePem());
        return new TestCertificateAuthority(authority, directory, path);
    }

    /// <summary>A certificate for TLS server and client authentication signed by this CA.</summary>
    public (string CertificatePath, string KeyPath) Issue(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        var certificatePath = Path.Combine(directory, $"{name}.pem");
        var keyPath = Path.Combine(directory, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
