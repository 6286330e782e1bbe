using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using ViaSocket.Server.Security;
using ViaSocket.Server.Ui;

namespace ViaSocket.Server.Extensions;

/// <summary>
/// The one start-up line an operator reads at the default level: where to reach the node, where its state and
/// bootstrap key are, and how it is clustered. Orleans' option dumps and the hosting lines stay below it (raise
/// <c>Logging:LogLevel:Orleans</c> or <c>Microsoft.Hosting.Lifetime</c> to see them).
/// </summary>
internal static partial class StartupSummary
{
    public static void LogStartupSummary(this WebApplication app, Database database)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ViaSocket.Startup");
            if (!logger.IsEnabled(LogLevel.Information))
            {
                return;
            }

            var options = ServerOptions.From(app.Configuration);
            var addresses = string.Join(", ", app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
            var ui = options.PublicBaseUrl.TrimEnd('/') + UiEndpoints.LoginPath;
            var cluster = Cluster(options);
            var data = DataDirectory.From(app.Configuration).Path;
            var store = Describe(database);
            var bootstrapKey = BootstrapKey(app.Services.GetRequiredService<IOptions<BootstrapOptions>>().Value);
            LogReady(logger, addresses, ui, cluster, data, store, bootstrapKey);
        });
    }

    private static string Cluster(ServerOptions options)
    {
        var cluster = options.Cluster;
        var transport = cluster.Tls.HasCertificate ? "mutual TLS" : "no TLS";
        return options.Role == ServerRoles.Silo
            ? $"silo + front-end of cluster '{cluster.ClusterId}', silo port {cluster.EffectiveListenAddress}:{cluster.SiloPort}, gateway port {cluster.GatewayPort}, {transport}"
            : $"front-end of cluster '{cluster.ClusterId}', {transport}";
    }

    private static string Describe(Database database)
    {
        if (database.Embedded is { } embedded)
        {
            return $"embedded PostgreSQL in {embedded.DataDirectory}";
        }

        // Host, port and database only: the connection string may carry a user name worth keeping out of logs too.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"PostgreSQL at {builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static string BootstrapKey(BootstrapOptions bootstrap) =>
        !string.IsNullOrWhiteSpace(bootstrap.ApiKey) ? "from configuration (ViaSocket:Bootstrap:ApiKey)"
        : bootstrap.GeneratedKeyFile is { } file ? $"in {file}"
        : "none (create keys with an existing key)";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "ViaSocket Orleans is ready on {Addresses} (UI: {UiUrl}); {Cluster}; data directory {DataDirectory}; database: {Database}; bootstrap API key {BootstrapKey}")]
    private static partial void LogReady(ILogger logger, string addresses, string uiUrl, string cluster, string dataDirectory, string database, string bootstrapKey);
}
