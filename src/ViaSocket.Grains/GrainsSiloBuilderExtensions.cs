using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ViaSocket.Grains.AuthVersions;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Persistence;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains;

public static class GrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the grains need on a silo: the clock, the compiled-version cache, the block runner, the
    /// connection directory and the metrics the grains record. The host registers the <c>NpgsqlDataSource</c> the
    /// directory uses and configures outbound HTTP (<c>AddGuardedOutboundHttp</c>).
    /// </summary>
    public static ISiloBuilder AddViaSocketGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<AuthVersionCatalog>();
        silo.Services.TryAddSingleton<ConnectionDirectory>();
        silo.Services.AddOptions<Connections.RefreshOptions>();
        silo.Services.AddOptions<Connections.ConnectionLifetimeOptions>();
        silo.Services.TryAddSingleton<Connections.RefreshConcurrencyLimiter>();
        silo.Services.TryAddSingleton<Connections.LocalCredentialCache>();
        silo.Services.TryAddSingleton<Connections.SharedStrings>();
        silo.Services.TryAddSingleton<Connections.JwksCache>();
        silo.Services.TryAddSingleton<Connections.IdTokenVerifier>();
        silo.Services.AddBlockRunner();
        silo.Services.AddViaSocketMetrics();
        silo.Services.AddHostedService<Connections.OverdueRefreshSweeper>();
        silo.Services.AddHostedService<Connections.PendingConnectionExpiry>();
        silo.AddIncomingGrainCallFilter<Storage.StorageFailureCallFilter>();
        silo.Services.TryAddSingleton<GrainStatePurger>();
        silo.Services.TryAddSingleton<Connections.AbandonedAuthorizationPurger>();
        silo.Services.AddHostedService(services => services.GetRequiredService<Connections.AbandonedAuthorizationPurger>());
        silo.Services.TryAddSingleton<Workspaces.ExpiredUiSessionPurger>();
        silo.Services.AddHostedService(services => services.GetRequiredService<Workspaces.ExpiredUiSessionPurger>());
        return silo;
    }
}
