using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks;
using ViaSocket.Blocks.Declarative;
using ViaSocket.Blocks.Isolation;
using ViaSocket.Blocks.Sandbox;
using ViaSocket.Domain.Templates;

namespace Microsoft.Extensions.DependencyInjection;

public static class BlockRunnerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBlockRunner"/> (JavaScript blocks in runner processes, see <see cref="BlockIsolationOptions"/>;
    /// declarative requests in-process), the sandboxed
    /// <see cref="IScriptExpressionEvaluator"/> for templates, and the guarded outbound client
    /// (<see cref="OutboundHttpServiceCollectionExtensions.AddGuardedOutboundHttp"/>; call it too to configure it).
    /// </summary>
    public static IServiceCollection AddBlockRunner(this IServiceCollection services, Action<SandboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddGuardedOutboundHttp();
        services.AddOptions<SandboxOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TemplateCache>(_ => new TemplateCache());
        services.TryAddSingleton<PreparedScriptCache>();
        services.TryAddSingleton<IScriptExpressionEvaluator, SandboxedExpressionEvaluator>();
        services.AddOptions<BlockIsolationOptions>();
        services.TryAddSingleton<RunnerPool>();
        services.TryAddSingleton<InProcessScriptHost>();
        services.TryAddSingleton<IScriptHost>(provider =>
            provider.GetRequiredService<IOptions<BlockIsolationOptions>>().Value.Mode == ScriptIsolation.InProcess
                ? provider.GetRequiredService<InProcessScriptHost>()
                : provider.GetRequiredService<RunnerPool>());
        services.AddHostedService<RunnerPoolStartup>();
        services.TryAddSingleton<JavaScriptBlockRunner>();
        services.TryAddSingleton<DeclarativeRequestRunner>();
        services.TryAddSingleton<IBlockRunner, BlockRunner>();
        return services;
    }
}
