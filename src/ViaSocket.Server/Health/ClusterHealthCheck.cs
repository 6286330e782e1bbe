using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ViaSocket.Server.Health;

/// <summary>
/// Ready when the cluster has an active silo to serve grain calls; in the silo role, when this silo itself is
/// active in the membership table.
/// </summary>
internal sealed class ClusterHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var localSilo = services.GetService<ILocalSiloDetails>();
        var membership = services.GetService<IClusterMembershipService>();
        if (localSilo is not null && membership is not null)
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress);
            return status == SiloStatus.Active
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"This silo is {status}.");
        }

        try
        {
            var client = services.GetRequiredService<IClusterClient>();
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return hosts.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("No active silo.");
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException or SiloUnavailableException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The cluster is not reachable.", exception);
        }
    }
}
