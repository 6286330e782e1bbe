using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using ViaSocket.ClusterSecurity;
using ViaSocket.Connections;

namespace ViaSocket.SampleEngine;

/// <summary>
/// How a workflow engine talks to ViaSocket Orleans as a cluster client: it finds the silos through the same
/// PostgreSQL membership table and calls connection grains directly, with no HTTP hop.
/// </summary>
public static class EngineClient
{
    /// <param name="connectionString">The cluster's PostgreSQL (membership table); a password may be in a pgpass file instead.</param>
    /// <param name="tls">
    /// The engine's client certificate and the CA of the silos, when the cluster uses mutual TLS; null reads them from
    /// configuration (<c>ViaSocket:Cluster:Tls</c>, e.g. <c>ViaSocket__Cluster__Tls__CertificatePath</c>), the same
    /// settings as the service's.
    /// </param>
    public static IHost CreateHost(string connectionString, string clusterId = "viasocket", string serviceId = "viasocket-orleans", ClusterTlsOptions? tls = null)
    {
        var builder = Host.CreateApplicationBuilder();
        tls ??= builder.Configuration.GetSection(ClusterTlsOptions.SectionPath).Get<ClusterTlsOptions>() ?? new ClusterTlsOptions();
        builder.UseOrleansClient(client =>
        {
            if (tls.HasCertificate)
            {
                client.UseClusterTls(tls);
            }

            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId));
            client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));

            // Without TLS only gateways on this machine are used (ViaSocket:Cluster:AllowInsecureTransport, for a lab, lifts that).
            client.RequireSecureGateways(tls, builder.Configuration.GetValue<bool>("ViaSocket:Cluster:AllowInsecureTransport"));
        });
        return builder.Build();
    }

    /// <summary>The credentials to append to a request of this connection, or the reason it cannot be used.</summary>
    public static Task<CredentialsResult> GetCredentialsAsync(IGrainFactory grains, string workspaceId, string connectionId) =>
        grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(workspaceId, connectionId)).GetCredentialsAsync();
}
