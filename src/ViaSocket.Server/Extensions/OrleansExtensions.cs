using System.Net;
using Orleans.Configuration;
using ViaSocket.Grains;
using ViaSocket.Grains.Connections;
using ViaSocket.Server.Storage;

namespace ViaSocket.Server.Extensions;

internal static class OrleansExtensions
{
    private const string Invariant = "Npgsql";

    /// <summary>An IP address as is; a host name (a container's, say) resolved to its first IPv4 address.</summary>
    private static IPAddress AdvertisedAddress(string address) =>
        IPAddress.TryParse(address, out var ip)
            ? ip
            : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"ViaSocket:Cluster:AdvertisedAddress '{address}' does not resolve to an IPv4 address.");

    /// <summary>
    /// A silo (grain state, reminders and membership in PostgreSQL) for the <c>silo</c> role, or a cluster client
    /// that finds gateways through the same membership table for the <c>frontend</c> role.
    /// </summary>
    public static void AddOrleansForRole(this WebApplicationBuilder builder, Database database)
    {
        var options = ServerOptions.From(builder.Configuration);
        var cluster = options.Cluster;

        if (options.Role == ServerRoles.FrontEnd)
        {
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));
                client.AddConnectionEventsClient();
            });
            return;
        }

        using (var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true)))
        {
            builder.Services.AddSingleton(EncryptionExtensions.CreateProtector(builder.Configuration, database, loggerFactory.CreateLogger("ViaSocket.Encryption")));
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
            silo.ConfigureEndpoints(AdvertisedAddress(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));
            silo.Configure<ClusterMembershipOptions>(o => (o.ProbeTimeout, o.NumMissedProbesLimit) = (cluster.ProbeTimeout, cluster.MissedProbesLimit));
            silo.AddEncryptedAdoNetGrainStorage(StorageNames.Default, database);
            silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));

            // Stream subscriptions must survive restarts, so the pub-sub store is PostgreSQL too.
            silo.AddAdoNetGrainStorage(ConnectionEventsHostingExtensions.PubSubStorageName, o => (o.Invariant, o.ConnectionString) = (Invariant, database.ConnectionString));
            silo.AddViaSocketGrains();
            silo.Services.AddOptions<RefreshOptions>().Bind(builder.Configuration.GetSection(RefreshOptions.SectionPath)).ValidateDataAnnotations().ValidateOnStart();
            silo.AddConnectionEvents();
        });
    }
}
