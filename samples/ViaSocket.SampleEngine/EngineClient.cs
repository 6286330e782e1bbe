using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using ViaSocket.Connections;

namespace ViaSocket.SampleEngine;

/// <summary>
/// How a workflow engine talks to ViaSocket Orleans as a cluster client: it finds the silos through the same
/// PostgreSQL membership table and calls connection grains directly, with no HTTP hop.
/// </summary>
public static class EngineClient
{
    /// <param name="connectionString">The cluster's PostgreSQL (membership table); a password may be in a pgpass file instead.</param>
    public static IHost CreateHost(string connectionString, string clusterId = "viasocket", string serviceId = "viasocket-orleans")
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId));
            client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
        });
        return builder.Build();
    }

    /// <summary>The credentials to append to a request of this connection, or the reason it cannot be used.</summary>
    public static Task<CredentialsResult> GetCredentialsAsync(IGrainFactory grains, string workspaceId, string connectionId) =>
        grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(workspaceId, connectionId)).GetCredentialsAsync();
}
