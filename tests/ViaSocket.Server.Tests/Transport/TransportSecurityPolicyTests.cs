using ViaSocket.ClusterSecurity;

namespace ViaSocket.Server.Tests.Transport;

public sealed class TransportSecurityPolicyTests
{
    private static readonly ClusterTlsOptions NoTls = new();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void Loopback_without_tls_starts(string address) =>
        Assert.Equal(TransportSecurityVerdict.LoopbackOnly, TransportSecurityPolicy.Decide([address, "127.0.0.1"], NoTls, allowInsecureTransport: false));

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.5")]
    [InlineData("silo-1")]
    [InlineData("::")]
    public void A_reachable_address_without_tls_is_refused(string address) =>
        Assert.Equal(TransportSecurityVerdict.Refused, TransportSecurityPolicy.Decide([address, "127.0.0.1"], NoTls, allowInsecureTransport: false));

    [Fact]
    public void A_reachable_address_without_tls_starts_only_when_explicitly_allowed() =>
        Assert.Equal(TransportSecurityVerdict.InsecureAllowed, TransportSecurityPolicy.Decide(["0.0.0.0"], NoTls, allowInsecureTransport: true));

    [Fact]
    public void A_certificate_means_tls() =>
        Assert.Equal(TransportSecurityVerdict.Tls, TransportSecurityPolicy.Decide(["0.0.0.0"], new ClusterTlsOptions { CertificatePath = "node.pem" }, allowInsecureTransport: false));

    [Fact]
    public void The_refusal_names_the_settings()
    {
        Assert.Contains("ViaSocket:Cluster:Tls:CertificatePath", TransportSecurityPolicy.RefusalMessage, StringComparison.Ordinal);
        Assert.Contains("ViaSocket:Cluster:AllowInsecureTransport", TransportSecurityPolicy.RefusalMessage, StringComparison.Ordinal);
    }
}
