using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ViaSocket.Grains.AuthVersions;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains;

public static class GrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the grains need on a silo: the clock, the compiled-version cache, the block runner and the
    /// connection directory. The host registers the <c>NpgsqlDataSource</c> the directory uses and configures
    /// outbound HTTP (<c>AddGuardedOutboundHttp</c>).
    /// </summary>
    public static ISiloBuilder AddViaSocketGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<AuthVersionCatalog>();
        silo.Services.TryAddSingleton<ConnectionDirectory>();
        silo.Services.AddBlockRunner();
        return silo;
    }
}
