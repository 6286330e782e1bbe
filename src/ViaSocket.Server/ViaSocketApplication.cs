using ViaSocket.Server.Apis;
using ViaSocket.Server.Extensions;
using ViaSocket.Server.Security;
using ViaSocket.Server.Ui;

namespace ViaSocket.Server;

/// <summary>Builds the service: the executable runs it, and the functional tests host it on loopback the same way.</summary>
public static class ViaSocketApplication
{
    /// <param name="configure">Runs before anything is registered, e.g. to add configuration in tests.</param>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var database = await builder.AddDatabaseAsync();
        builder.AddOrleansForRole(database);
        builder.AddServiceDefaults();
        builder.AddObservability();
        builder.AddFrontEnd(database);
        builder.AddSharedDataProtection();
        builder.AddRequestLimits();
        builder.AddRateLimits();
        builder.AddTrustedProxies();
        builder.Services.AddOptions<Grains.Events.WebhookDeliveryOptions>().Bind(builder.Configuration.GetSection($"{ServerOptions.SectionName}:Webhooks"));

        var app = builder.Build();
        app.UseTrustedProxies();
        app.UseServiceDefaults();

        // Explicitly inside the exception handler: left implicit, ASP.NET Core runs authentication ahead of it, and an
        // API key check that cannot reach its grain while a silo is dying ends as a bare 500 instead of a 503 problem.
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseObservability();
        app.UseRateLimiter();
        app.UseStrictUtf8JsonBodies();
        app.MapHealthEndpoints();

        // Everything that calls grains rides out the seconds in which a dead silo is being detected.
        var grainBacked = app.MapGroup("").AddEndpointFilter<ClusterCallRetryFilter>();
        grainBacked.MapOAuthCallback();
        grainBacked.MapAuthVersionsApiV1();
        grainBacked.MapConnectionsApiV1();
        grainBacked.MapConnectionMetadataApiV1();
        grainBacked.MapWebhooksApiV1();
        grainBacked.MapOAuthClientsApiV1();
        grainBacked.MapApiKeysApiV1();
        grainBacked.MapUi();
        grainBacked.MapWorkspaceApiV1();

        // Not retried as a whole: a repeat could send the caller's request to the upstream API twice.
        app.MapProxyApiV1();
        app.LogStartupSummary(database);
        return app;
    }
}
