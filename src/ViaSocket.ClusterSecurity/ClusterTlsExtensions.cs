using Orleans.Connections.Security;

namespace ViaSocket.ClusterSecurity;

/// <summary>Orleans' TLS connection middleware, set up for mutual TLS: both sides present a certificate, both verify it.</summary>
public static class ClusterTlsExtensions
{
    /// <summary>Silo-to-silo and gateway connections of a silo.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterTlsOptions options)
    {
        var certificates = ClusterTlsCertificates.Load(options);
        return silo.UseTls(certificates.Local, tls => Configure(tls, certificates));
    }

    /// <summary>A cluster client's connections to gateways (the front-end role, workflow engines).</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterTlsOptions options)
    {
        var certificates = ClusterTlsCertificates.Load(options);
        return client.UseTls(certificates.Local, tls => Configure(tls, certificates));
    }

    private static void Configure(TlsOptions tls, ClusterTlsCertificates certificates)
    {
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;

        // The chain and policy errors of the platform's check are replaced by ours: only the configured CAs or
        // thumbprints count, and no host name is expected (peers are addressed by IP).
        tls.RemoteCertificateValidation = (certificate, _, _) => certificates.Peers.IsTrusted(certificate);
        tls.HandshakeTimeout = TimeSpan.FromSeconds(10);
    }
}
