using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace ViaSocket.Server.Apis;

internal static class HealthApi
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// <c>/health/live</c>: the process serves requests (no dependencies checked, so a database outage does not get
    /// the pod restarted). <c>/health/ready</c>: PostgreSQL reachable and the silo/cluster active.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return endpoints;
    }
}
