using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ViaSocket.ClusterSecurity;

namespace ViaSocket.Server.Tests.Transport;

public sealed class PeerCertificateValidatorTests
{
    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Node(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        return request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
    }

    [Fact]
    public void Only_certificates_of_the_configured_ca_are_trusted()
    {
        using var ca = Authority("cluster-ca");
        using var other = Authority("other-ca");
        using var node = Node(ca, "silo-1");
        using var stranger = Node(other, "silo-1");
        var validator = new PeerCertificateValidator([ca], []);

        Assert.True(validator.IsTrusted(node));
        Assert.False(validator.IsTrusted(stranger));
        Assert.False(validator.IsTrusted(other));
        Assert.False(validator.IsTrusted(null));
    }

    [Fact]
    public void A_thumbprint_on_the_allow_list_is_trusted_and_nothing_else()
    {
        using var other = Authority("other-ca");
        using var allowed = Node(other, "engine");
        using var stranger = Node(other, "engine-2");
        var validator = new PeerCertificateValidator([], [allowed.Thumbprint.ToLowerInvariant()]);

        Assert.True(validator.IsTrusted(allowed));
        Assert.False(validator.IsTrusted(stranger));
    }
}
