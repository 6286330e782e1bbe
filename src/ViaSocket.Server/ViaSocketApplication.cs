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
        builder.AddRequestLimits();
        builder.AddRateLimits();

        var app = builder.Build();
        app.UseServiceDefaults();
        app.UseObservability();
        app.UseRateLimiter();
        app.MapHealthEndpoints();
        app.MapOAuthCallback();
        app.MapAuthVersionsApiV1();
        app.MapConnectionsApiV1();
        app.MapProxyApiV1();
        app.MapWebhooksApiV1();
        app.MapApiKeysApiV1();
        app.MapUi();
        app.MapWorkspaceApiV1();
        return app;
    }
}
