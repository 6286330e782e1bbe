using Microsoft.Extensions.DependencyInjection.Extensions;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Health;

namespace ViaSocket.Server.Extensions;

internal static class ServiceDefaultsExtensions
{
    /// <summary>Logging, problem details and health checks: what every deployable of the service shares.</summary>
    public static void AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        // The hosting diagnostics log every request URL with its query string, and OAuth callbacks carry the
        // authorization code there: keep that category quiet whatever the configuration says.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<StorageExceptionHandler>();
        builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();
        builder.Services.AddSingleton<ClusterCallRetry>();
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [HealthApi.ReadyTag])
            .AddCheck<ClusterHealthCheck>("orleans", tags: [HealthApi.ReadyTag]);
    }

    public static void UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
    }
}
