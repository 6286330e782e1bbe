using System.Net;
using Orleans.Configuration;
using ViaSocket.Blocks.Isolation;
using ViaSocket.ClusterSecurity;
using ViaSocket.Grains;
using ViaSocket.Grains.Connections;
using ViaSocket.Server.Storage;

namespace ViaSocket.Server.Extensions;

internal static partial class OrleansExtensions
{
    private const string Invariant = "Npgsql";

    /// <summary>An IP address as is; a host name (a container's, say) resolved to its first IPv4 address.</summary>
    private static IPAddress Resolve(string address, string setting) =>
        IPAddress.TryParse(address, out var ip)
            ? ip
            : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"ViaSocket:Cluster:{setting} '{address}' does not resolve to an IPv4 address.");

    /// <summary>
    /// Refuses to start a node reachable off this machine in clear text (see <see cref="TransportSecurityPolicy"/>);
    /// true when TLS is to be used.
    /// </summary>
    private static bool CheckTransportSecurity(ClusterSettings cluster, ILogger logger)
    {
        var verdict = TransportSecurityPolicy.Decide([cluster.EffectiveListenAddress, cluster.AdvertisedAddress], cluster.Tls, cluster.AllowInsecureTransport);
        switch (verdict)
        {
            case TransportSecurityVerdict.Refused:
                throw new InvalidOperationException(TransportSecurityPolicy.RefusalMessage);
            case TransportSecurityVerdict.InsecureAllowed:
                logger.LogWarning(TransportSecurityPolicy.InsecureWarning);
                break;
            case TransportSecurityVerdict.Tls:
                LogMutualTls(logger, cluster.Tls.CertificatePath ?? cluster.Tls.StoreThumbprint ?? cluster.Tls.StoreSubject);
                break;
        }

        return verdict == TransportSecurityVerdict.Tls;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster transport: mutual TLS with {Certificate}")]
    private static partial void LogMutualTls(ILogger logger, string? certificate);

    /// <summary>
    /// A silo (grain state, reminders and membership in PostgreSQL) for the <c>silo</c> role, or a cluster client
    /// that finds gateways through the same membership table for the <c>frontend</c> role.
    /// </summary>
    public static void AddOrleansForRole(this WebApplicationBuilder builder, Database database)
    {
        var options = ServerOptions.From(builder.Configuration);
        var cluster = options.Cluster;
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var useTls = CheckTransportSecurity(cluster, loggerFactory.CreateLogger("ViaSocket.Cluster"));

        if (options.Role == ServerRoles.FrontEnd)
        {
            builder.UseOrleansClient(client =>
            {
                if (useTls)
                {
                    client.UseClusterTls(cluster.Tls);
                }

                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));

                // The front-end's own addresses say nothing about where its grain calls go: the gateways it reads from
                // membership are checked against the same rule.
                client.RequireSecureGateways(cluster.Tls, cluster.AllowInsecureTransport);
                client.AddConnectionEventsClient();
            });
            return;
        }

        builder.Services.AddSingleton(EncryptionExtensions.CreateProtector(builder.Configuration, database, loggerFactory.CreateLogger("ViaSocket.Encryption")));
        var listen = Resolve(cluster.EffectiveListenAddress, nameof(ClusterSettings.ListenAddress));

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
            silo.ConfigureEndpoints(Resolve(cluster.AdvertisedAddress, nameof(ClusterSettings.AdvertisedAddress)), cluster.SiloPort, cluster.GatewayPort);

            // Bound to the one configured address, never every interface unless 0.0.0.0 is configured explicitly.
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloListeningEndpoint = new IPEndPoint(listen, cluster.SiloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(listen, cluster.GatewayPort);
            });
            if (useTls)
            {
                silo.UseClusterTls(cluster.Tls);
            }

            silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));
            silo.Configure<ClusterMembershipOptions>(o => (o.ProbeTimeout, o.NumMissedProbesLimit) = (cluster.ProbeTimeout, cluster.MissedProbesLimit));
            silo.AddEncryptedAdoNetGrainStorage(StorageNames.Default, database);
            silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));

            // Stream subscriptions must survive restarts, so the pub-sub store is PostgreSQL too.
            silo.AddAdoNetGrainStorage(ConnectionEventsHostingExtensions.PubSubStorageName, o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));
            silo.AddViaSocketGrains();
            silo.Services.AddOptions<RefreshOptions>().Bind(builder.Configuration.GetSection(RefreshOptions.SectionPath)).ValidateDataAnnotations().ValidateOnStart();
            silo.Services.AddOptions<ConnectionLifetimeOptions>().Bind(builder.Configuration.GetSection(ConnectionLifetimeOptions.SectionPath)).ValidateDataAnnotations().ValidateOnStart();
            silo.Services.AddOptions<BlockIsolationOptions>().Bind(builder.Configuration.GetSection(BlockIsolationOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            silo.AddConnectionEvents();
        });
    }
}
